// duckrun: library entry point (no CLI code is loaded from here); `connect` is the notebook/script API.
export * from '@duckrun/sql';
export { connect } from '@duckrun/sql';
