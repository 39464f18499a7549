/**
 * PowerShell's grammar without PowerShell: tree-sitter-powershell's wasm build, loaded through
 * web-tree-sitter. Good enough to prove a script is syntactically whole and to compare the shape
 * of two scripts; it says nothing about what PowerShell would do at run time.
 */
import { Language, Parser, type Node } from "web-tree-sitter";

export interface ParsedScript {
    hasError: boolean;
    /** Node types in document order, leaves with their text (comments and string bodies excepted). */
    shape: string[];
    /** Where the parser gave up, for assertion messages. */
    errors: string[];
    /** The text of every single-quoted string literal, quotes included. */
    verbatimStrings: string[];
    /** The names of all commands invoked (Invoke-Expression would show up here). */
    commandNames: string[];
    /** Node types that occur anywhere in the tree. */
    nodeTypes: Set<string>;
}

export type PowerShellParse = (script: string) => ParsedScript;

/** Parses `script` and hands its root node to `read`, freeing the tree afterwards. */
export type TreeReader = <T>(script: string, read: (root: Node) => T) => T;

/** Loads the grammar; call from a mocha `before` hook. */
export async function loadPowerShellTrees(): Promise<TreeReader> {
    await Parser.init();
    const language = await Language.load(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
    const parser = new Parser();
    parser.setLanguage(language);
    return (script, read) => {
        const tree = parser.parse(script);
        if (tree === null) throw new Error("tree-sitter returned no tree");
        try {
            return read(tree.rootNode);
        } finally {
            tree.delete();
        }
    };
}

/** Loads the grammar once; call from a mocha `before` hook. */
export async function loadPowerShellParser(): Promise<PowerShellParse> {
    const trees = await loadPowerShellTrees();
    return (script) => trees(script, (root) => {
        const parsed: ParsedScript = { hasError: root.hasError, shape: [], errors: [], verbatimStrings: [], commandNames: [], nodeTypes: new Set() };
        walk(root, parsed);
        return parsed;
    });
}

function walk(node: Node, parsed: ParsedScript): void {
    parsed.nodeTypes.add(node.type);
    if (node.isError || node.isMissing) {
        parsed.errors.push(`${node.isMissing ? "missing" : "error"} ${node.type} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${JSON.stringify(node.text.slice(0, 60))}`);
    }
    if (node.type === "verbatim_string_characters") parsed.verbatimStrings.push(node.text);
    if (node.type === "command_name") parsed.commandNames.push(node.text);
    // Leaves keep their text, so a changed operator or keyword changes the shape; a string's or
    // comment's text does not, so data inside a literal leaves the shape alone.
    const textMatters = node.childCount === 0 && node.type !== "verbatim_string_characters" && node.type !== "comment";
    parsed.shape.push(textMatters ? `${node.type}:${node.text}` : node.type);
    for (const child of node.children) {
        if (child !== null) walk(child, parsed);
    }
}
