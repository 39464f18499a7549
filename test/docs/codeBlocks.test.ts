/**
 * Every code block of README.md and docs/*.md does what its info-string claims (codeBlocks.ts):
 * TypeScript compiles against the package and its AspSessionSettings pass the provider's check,
 * shell runs (or parses, where it cannot run here), PowerShell parses, inventories load. Then
 * broken blocks of each kind, to show that a doc that rots fails.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../support/paths";
import { codeBlocks, documents, DocumentWorkspace, type CodeBlock } from "./codeBlocks";

function describeDocument(file: string, markdown: string, each: (block: CodeBlock, workspace: () => DocumentWorkspace) => void): void {
    const blocks = codeBlocks(file, markdown);
    let workspace: DocumentWorkspace | undefined;
    before(function () {
        this.timeout(300_000);
        workspace = new DocumentWorkspace(blocks);
    });
    for (const block of blocks) each(block, () => workspace!);
}

for (const file of documents()) {
    describe(`${file}'s code blocks`, function () {
        describeDocument(file, fs.readFileSync(path.join(projectRoot, file), "utf8"), (block, workspace) => {
            it(`line ${block.line}: ${block.info || "(no info-string)"}`, function () {
                this.timeout(180_000);
                const note = workspace().verify(block);
                if (note !== undefined) this.test!.title += ` (${note})`;
            });
        });
    });
}

describe("the README's blocks that matter most are there (a parser that found nothing would pass)", function () {
    const infos = codeBlocks("README.md", fs.readFileSync(path.join(projectRoot, "README.md"), "utf8")).map((block) => block.info);
    for (const info of ["ts", "sh", "powershell", "yaml fleet.yaml", "yaml Pulumi.yaml"]) {
        it(info, function () {
            assert.ok(infos.includes(info), infos.join(", "));
        });
    }
});

/** Broken blocks, one of each kind: each must be refused, with a message naming its line. */
const BROKEN: ReadonlyArray<{ what: string; markdown: string; message: RegExp }> = [
    { what: "a block with no info-string", markdown: "```\nls\n```\n", message: /broken\.md:1: a code block needs an info-string/ },
    { what: "an unknown info-string", markdown: "```bash\nls\n```\n", message: /unknown info-string "bash"/ },
    {
        what: "TypeScript that does not compile against the package",
        markdown: [
            "```ts",
            'import { AspSessionSettings } from "pulumi-iis-asp-session";',
            'new AspSessionSettings("shop", { target: { kind: "file", path: "applicationHost.config" }, maximum: 5 });',
            "```",
        ].join("\n"),
        message: /broken\.md:3: TS2353: .*maximum/,
    },
    {
        // The README's WinRM example before this test existed.
        what: "arguments the provider's check refuses",
        markdown: [
            "```ts",
            'import * as pulumi from "@pulumi/pulumi";',
            'import { AspSessionSettings } from "pulumi-iis-asp-session";',
            'new AspSessionSettings("shop", {',
            '    target: { kind: "winrm", host: "web01.corp.example", port: 5985, https: false, caCertificate: new pulumi.Config().require("corpCaPem"),',
            '        username: "CORP\\\\deploy", password: pulumi.secret("...") },',
            '    location: "Default Web Site/shop",',
            "});",
            "```",
        ].join("\n"),
        message: /AspSessionSettings "shop": target\.caCertificate only applies with https: true/,
    },
    { what: "a shell block that fails", markdown: "```sh\ntrue\nfalse\n```\n", message: /broken\.md:1: exited with status 1/ },
    { what: "a shell block not run here, with a syntax error", markdown: "```sh pulumi\nif pulumi up; then\n```\n", message: /not valid shell/ },
    { what: "PowerShell that does not parse", markdown: "```powershell\nGet-Service WinRM\nNew-Item -Path (\n```\n", message: /PowerShell does not parse it:\nbroken\.md:3/ },
    {
        what: "an inventory with a password inline",
        markdown: "```yaml\nsettings: { max: 1 }\nservers:\n  - name: web01\n    target: { kind: winrm, host: web01, username: u, password: secret }\n```\n",
        message: /secrets are not written in the inventory/,
    },
    { what: "JSON that does not parse", markdown: "```json\n{\"a\": 1,}\n```\n", message: /not JSON/ },
];

describe("a broken block fails the test", function () {
    for (const broken of BROKEN) {
        describe(broken.what, function () {
            describeDocument("broken.md", broken.markdown, (block, workspace) => {
                it("is refused, naming its line", function () {
                    this.timeout(180_000);
                    if (broken.what.startsWith("PowerShell") && !pwshAvailable()) this.skip();
                    assert.throws(() => workspace().verify(block), broken.message);
                });
            });
        });
    }

    it("an unclosed fence", function () {
        assert.throws(() => codeBlocks("broken.md", "text\n```ts\nconst a = 1;\n"), /broken\.md:2: the code block opened here is never closed/);
    });
});

function pwshAvailable(): boolean {
    return (process.env.PATH ?? "").split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, "pwsh")));
}
