// duckrun: library entry point (no CLI code is loaded from here).
export * from '@duckrun/sql';
