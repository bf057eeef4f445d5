// Typed errors of project loading; each message names the file (and line when known) and says what to change.
import { DuckrunError } from '@duckrun/storage';

/** A project file (dbt_project.yml, schema YAML, packages.yml, a SQL file's blocks) is malformed or contradicts another. */
export class ProjectConfigError extends DuckrunError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super('DBT_PROJECT_CONFIG', `${file}${line === undefined ? '' : `:${line}`}: ${problem}`, options);
  }
}

/** profiles.yml is missing, malformed, or lacks the profile or target the project asks for. */
export class ProfileError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DBT_PROFILE', message, options);
  }
}

/** A package listed in packages.yml is not installed and cannot be installed offline. */
export class PackageNotInstalledError extends DuckrunError {
  constructor(readonly file: string, message: string) {
    super('DBT_PACKAGE_NOT_INSTALLED', `${file}: ${message}`);
  }
}
