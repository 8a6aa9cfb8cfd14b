// Types of readme-api.mjs, for docs/readme-api.test.ts.
export function publicEntries(pkgDir: string): { subpath: string; file: string }[];
export function exportedNames(file: string): string[];
export function apiSection(readme: string): string | undefined;
export function listedNames(section: string): string[];
export function checkLibrary(pkgDir: string): string[];
export function libraryDirs(): string[];
