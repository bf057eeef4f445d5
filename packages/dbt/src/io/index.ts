// File IO of @duckrun/dbt outside project loading and artifacts (the only folders that may use node:*).
export { readProjectText } from './read-text.js';
