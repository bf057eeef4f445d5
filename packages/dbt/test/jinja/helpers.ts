// Test helper: parse-phase render of a snippet in a fresh environment.
import { createJinjaEnvironment, type JinjaEnvironment, type NodeContext } from '../../src/jinja/index.js';

export function renderSnippet(source: string, node: NodeContext = {}, env: JinjaEnvironment = createJinjaEnvironment()): string {
  return env.parse({ source, name: 'snippet.sql' }, node).output;
}
