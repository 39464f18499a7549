/**
 * The import graph of the project's own TypeScript (sdk/, cli/, provider/), read from the sources
 * with TypeScript's parser: which module imports which, and whether only for types (erased when
 * compiled, so it loads nothing).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { projectRoot } from "../support/paths";

export interface ImportEdge {
    /** Importing and imported module, as paths from the project root without ".ts" ("provider/open"). */
    readonly from: string;
    readonly to: string;
    /** Erased at compile time: `import type`, or every name imported is a type. */
    readonly typeOnly: boolean;
    /** Loaded when the code runs (`import()`, `require()`), not when the importing module loads. */
    readonly lazy?: boolean;
}

export const SOURCE_ROOTS = ["sdk", "cli", "provider"] as const;

function sourceFiles(folder: string): string[] {
    return fs.readdirSync(path.join(projectRoot, folder), { withFileTypes: true }).flatMap((entry) => {
        const relative = `${folder}/${entry.name}`;
        if (entry.isDirectory()) return sourceFiles(relative);
        return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative] : [];
    });
}

/** The module a relative specifier names, or undefined for a package. */
function resolve(from: string, specifier: string): string | undefined {
    if (!specifier.startsWith(".")) return undefined;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    for (const candidate of [`${base}.ts`, `${base}/index.ts`]) if (fs.existsSync(path.join(projectRoot, candidate))) return candidate.slice(0, -3);
    throw new Error(`${from}.ts imports ${specifier}, which resolves to no module`);
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
    if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        if (clause === undefined) return false;
        if (clause.isTypeOnly) return true;
        if (clause.name !== undefined) return false;
        const bindings = clause.namedBindings;
        return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
    }
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly);
}

/** `import(...)` or `require(...)`: a module loaded when the code runs. */
function isLoad(callee: ts.Expression): boolean {
    return callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require");
}

/** Every import between the project's modules; `import()` and `require()` count as runtime imports. */
export function importGraph(): ImportEdge[] {
    const edges: ImportEdge[] = [];
    for (const file of SOURCE_ROOTS.flatMap(sourceFiles)) {
        const from = file.slice(0, -3);
        const source = ts.createSourceFile(file, fs.readFileSync(path.join(projectRoot, file), "utf8"), ts.ScriptTarget.Latest, true);
        const visit = (node: ts.Node): void => {
            if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
                const to = resolve(file, node.moduleSpecifier.text);
                if (to !== undefined) edges.push({ from, to, typeOnly: isTypeOnly(node) });
            } else if (ts.isCallExpression(node) && isLoad(node.expression) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
                const to = resolve(file, node.arguments[0].text);
                if (to !== undefined) edges.push({ from, to, typeOnly: false, lazy: true });
            }
            ts.forEachChild(node, visit);
        };
        visit(source);
    }
    return edges;
}

/** Import circles among runtime imports, each as the modules around it. */
export function importCircles(edges: readonly ImportEdge[]): string[][] {
    const next = new Map<string, string[]>();
    for (const edge of edges) if (!edge.typeOnly) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
    const circles: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const walk = (module: string): void => {
        state.set(module, "open");
        stack.push(module);
        for (const target of next.get(module) ?? []) {
            if (state.get(target) === "open") circles.push([...stack.slice(stack.indexOf(target)), target]);
            else if (state.get(target) === undefined) walk(target);
        }
        stack.pop();
        state.set(module, "done");
    };
    for (const module of [...next.keys()].sort()) if (state.get(module) === undefined) walk(module);
    return circles;
}

/** Every module loading `from` loads at once: its static runtime imports, transitively. */
export function loadedWith(from: string, edges: readonly ImportEdge[]): Set<string> {
    const loaded = new Set<string>([from]);
    const queue = [from];
    for (let module = queue.shift(); module !== undefined; module = queue.shift()) {
        for (const edge of edges) {
            if (edge.from !== module || edge.typeOnly || edge.lazy === true || loaded.has(edge.to)) continue;
            loaded.add(edge.to);
            queue.push(edge.to);
        }
    }
    return loaded;
}
