import * as fs from "fs";
import { sharedFile } from "../../../support/paths";

/**
 * The MS-NLMP 4.2.4 (NTLMv2) test vectors, read from ../shared/reference/winrm/ntlm_vectors.md at
 * test time so the tests check exactly the values recorded there. Each value is found by the
 * label its table row starts with; a label that is missing is an error, never a skip.
 *
 * Returns undefined only when the shared file is absent outside CI (sharedFile throws under CI).
 */
export interface NtlmVectors {
    readonly user: string;
    readonly domain: string;
    readonly password: string;
    readonly workstation: string;
    readonly randomSessionKey: Buffer;
    readonly time: Buffer;
    readonly clientChallenge: Buffer;
    readonly serverChallenge: Buffer;
    readonly challengeFlags: number;
    readonly authenticateFlags: number;
    readonly targetInfo: Buffer;
    readonly ntowfv1: Buffer;
    readonly ntowfv2: Buffer;
    readonly clientBlob: Buffer;
    readonly lmv2Response: Buffer;
    readonly ntProofStr: Buffer;
    readonly sessionBaseKey: Buffer;
    readonly encryptedRandomSessionKey: Buffer;
    readonly exportedSessionKey: Buffer;
    readonly clientSealKey: Buffer;
    readonly clientSignKey: Buffer;
    readonly serverSealKey: Buffer;
    readonly serverSignKey: Buffer;
    readonly plaintext: Buffer;
    readonly sealedData: Buffer;
    readonly checksum: Buffer;
    readonly encryptedChecksum: Buffer;
    readonly signature: Buffer;
    readonly challengeMessage: Buffer;
    readonly authenticateMessage: Buffer;
}

export const VECTORS_FILE = ["reference", "winrm", "ntlm_vectors.md"];

export function loadNtlmVectors(): NtlmVectors | undefined {
    const file = sharedFile(...VECTORS_FILE);
    if (file === undefined) return undefined;
    const text = fs.readFileSync(file, "utf8");
    const rows = tableRows(text);

    const cell = (label: string): string => {
        const row = rows.find((cells) => cells[0] === label) ?? rows.find((cells) => cells[0].startsWith(label));
        if (row === undefined) throw new Error(`${file}: no table row starting with ${JSON.stringify(label)}`);
        return row[row.length - 1];
    };
    const hex = (label: string): Buffer => hexOf(cell(label), `${file}: row ${JSON.stringify(label)}`);
    const text1 = (label: string): string => backticked(cell(label), `${file}: row ${JSON.stringify(label)}`);

    // The NTLMv2 response row must still read "`<NTProofStr>` ‖ temp", which the tests rely on.
    if (!/‖\s*temp/.test(cell("NTLMv2 response"))) throw new Error(`${file}: NTLMv2 response row is no longer "NTProofStr ‖ temp"`);
    return {
        user: text1("User"),
        domain: text1("UserDom"),
        password: text1("Passwd"),
        workstation: text1("Workstation"),
        randomSessionKey: hex("RandomSessionKey"),
        time: hex("Time"),
        clientChallenge: hex("ClientChallenge"),
        serverChallenge: hex("ServerChallenge"),
        challengeFlags: flagsAfter(text, "Challenge NegotiateFlags:"),
        authenticateFlags: flagsAfter(text, "AUTHENTICATE_MESSAGE in 4.2.4.3 carries"),
        targetInfo: hexCodeBlockAfter(text, "TargetInfo AV pairs"),
        ntowfv1: hex("NTOWFv1"),
        ntowfv2: hex("NTOWFv2"),
        clientBlob: hex("temp"),
        lmv2Response: hex("LMv2 response"),
        ntProofStr: hex("NTProofStr"),
        sessionBaseKey: hex("SessionBaseKey"),
        encryptedRandomSessionKey: hex("EncryptedRandomSessionKey"),
        exportedSessionKey: hex("ExportedSessionKey"),
        clientSealKey: hex("SealKey client→server"),
        clientSignKey: hex("SignKey client→server"),
        serverSealKey: hex("SealKey server→client"),
        serverSignKey: hex("SignKey server→client"),
        plaintext: hex("Plaintext"),
        sealedData: hex("Sealed data"),
        checksum: hex("Checksum = HMAC_MD5"),
        encryptedChecksum: hex("Checksum after RC4"),
        signature: hex("NTLMSSP_MESSAGE_SIGNATURE"),
        challengeMessage: hexLineAfter(text, "CHALLENGE_MESSAGE ("),
        authenticateMessage: hexLineAfter(text, "AUTHENTICATE_MESSAGE (no MIC"),
    };
}

/** Markdown table rows as trimmed cells (leading and trailing pipes dropped). */
function tableRows(text: string): string[][] {
    return text
        .split("\n")
        .filter((line) => line.startsWith("|") && !/^\|[-\s|]+\|$/.test(line))
        .map((line) =>
            line
                .slice(1, line.lastIndexOf("|"))
                .split("|")
                .map((cell) => cell.trim()),
        );
}

function backticked(cell: string, where: string): string {
    const match = /`([^`]*)`/.exec(cell);
    if (match === null) throw new Error(`${where}: no \`value\` in ${JSON.stringify(cell)}`);
    return match[1];
}

function hexOf(cell: string, where: string): Buffer {
    const digits = backticked(cell, where).replace(/\s+/g, "");
    if (!/^([0-9a-f]{2})+$/i.test(digits)) throw new Error(`${where}: ${JSON.stringify(digits)} is not hex`);
    return Buffer.from(digits, "hex");
}

function flagsAfter(text: string, marker: string): number {
    const at = text.indexOf(marker);
    const match = at < 0 ? null : /`0x([0-9a-f]{8})`/i.exec(text.slice(at, at + 200));
    if (match === null) throw new Error(`ntlm_vectors.md: no \`0x........\` flags after ${JSON.stringify(marker)}`);
    return parseInt(match[1], 16);
}

/** The hex bytes at the start of each line of the first ``` block after `marker`. */
function hexCodeBlockAfter(text: string, marker: string): Buffer {
    const at = text.indexOf(marker);
    const open = text.indexOf("```", at);
    const close = text.indexOf("```", open + 3);
    if (at < 0 || open < 0 || close < 0) throw new Error(`ntlm_vectors.md: no code block after ${JSON.stringify(marker)}`);
    const lines = text.slice(text.indexOf("\n", open) + 1, close).split("\n");
    const hexText = lines.map((line) => (/^((?:[0-9a-f]{2} )*[0-9a-f]{2})/i.exec(line) ?? ["", ""])[1]).join("");
    return Buffer.from(hexText.replace(/\s+/g, ""), "hex");
}

/** The first long `backticked` hex string (a whole message) after `marker`. */
function hexLineAfter(text: string, marker: string): Buffer {
    const at = text.indexOf(marker);
    const match = at < 0 ? null : /`([0-9a-f]{64,})`/i.exec(text.slice(at));
    if (match === null) throw new Error(`ntlm_vectors.md: no hex message after ${JSON.stringify(marker)}`);
    return Buffer.from(match[1], "hex");
}
