// The duckrun package's root import is the library: it exposes connect() (and the SQL layer) without CLI code.
import { describe, expect, it } from 'vitest';

describe('duckrun library entry', () => {
  it('re-exports connect and the DataFrame API', async () => {
    const api = await import('../src/index.js');
    expect(typeof api.connect).toBe('function');
    expect(typeof api.DataFrame).toBe('function');
    expect(api).not.toHaveProperty('main');
  });
});
