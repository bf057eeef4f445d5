// The project DAG: dependency resolution, ordering, cycle detection and --select/--exclude.
export { buildGraph, DependencyGraph, type GraphInput, type NodeDependencies } from './dependency-graph.js';
export { selectNodes, type IndirectSelection, type SelectionUniverse, type SelectOptions } from './select-nodes.js';
export { CompileError, SelectorError } from './errors.js';
