// Re-exports this workspace's apache-arrow for code outside any workspace package (tools/tpch), which has
// no node_modules of its own to resolve 'apache-arrow' from.
export * from 'apache-arrow';
