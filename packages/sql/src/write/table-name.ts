// Table names of write statements → table locations under the session root. A dotted name nests folders
// (`sales.orders` → <root>/sales/orders); no name may leave the root.
import { TableNameError } from '../errors.js';
import { resolveTableUri } from '../table-uri.js';

/** A table named in a write statement, as its identifier parts (quotes removed, spelling kept). */
export interface TableName {
  readonly parts: readonly string[];
}

/** The name as SQL text: parts joined by dots, quoted where a bare identifier would not read back the same. */
export function tableNameText(name: TableName): string {
  return name.parts.map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`)).join('.');
}

/** Throws TableNameError unless every part of `name` can be one folder name (no separators, `.`, `..`). */
export function checkTableName(name: TableName): void {
  const text = tableNameText(name);
  for (const part of name.parts) {
    // Parts become path segments: separators, `.`/`..` and control characters would address other folders.
    if (part === '' || part === '.' || part === '..' || /[/\\]/.test(part) || /[\u0000-\u001f\u007f]/.test(part)) {
      throw new TableNameError(
        `table name ${text} must name a folder under the root; use plain names, with dots for subfolders (sales.orders → sales/orders), and no "/", "\\" or ".."`,
      );
    }
  }
}

/** The URL of table `name` under `rootUrl`; throws TableNameError for names that are not plain folders under the root. */
export function tableLocation(name: TableName, rootUrl: string): string {
  checkTableName(name);
  const text = tableNameText(name);
  const root = rootUrl.replace(/\/+$/, '');
  const uri = resolveTableUri(name.parts.join('/'), root);
  // resolveTableUri treats `c:/…` and `scheme://…` as absolute: make sure the result is still below the root.
  if (!uri.startsWith(`${root}/`)) {
    throw new TableNameError(`table name ${text} resolves to ${uri}, outside the root ${root}; use a plain name under the root`);
  }
  return uri;
}

/**
 * Where `schema.name` lives when the root is itself a schema folder of a warehouse (`<warehouse>/main` opened
 * as the root): the sibling schema folder `<root>/../schema/name`, or `<root>/name` when `schema` is the
 * root folder's own name. Undefined for other names, or a root with no parent folder.
 */
export function schemaFolderCandidates(name: TableName, rootUrl: string): string[] {
  if (name.parts.length !== 2) return [];
  checkTableName(name);
  const root = rootUrl.replace(/\/+$/, '');
  const cut = root.lastIndexOf('/');
  if (cut <= root.indexOf('//') + 1) return [];
  const parent = root.slice(0, cut);
  const own = decodeURIComponent(root.slice(cut + 1));
  const [schema, table] = name.parts as [string, string];
  const out = [resolveTableUri(`${schema}/${table}`, parent)];
  if (own === schema) out.unshift(resolveTableUri(table, root));
  return out.filter((u) => u.startsWith(`${parent}/`));
}
