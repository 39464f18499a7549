import { AvId } from "./constants";
import { NtlmError } from "./errors";

/**
 * AV_PAIR lists (MS-NLMP 2.2.2.1): the server's TargetInfo in the CHALLENGE_MESSAGE, which the
 * client echoes (with MsvAvFlags, MsvAvChannelBindings, ... added) inside its NTLMv2 response.
 * Kept as an ordered list of raw values so an echo is byte-for-byte what the server sent.
 */
export interface AvPair {
    /** AvId, see `AvId` in constants.ts; unknown ids are kept as they are. */
    readonly id: number;
    readonly value: Buffer;
}

/** The pairs of `bytes`, up to (not including) MsvAvEOL. A list ending without EOL is accepted. */
export function decodeAvPairs(bytes: Uint8Array): AvPair[] {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const pairs: AvPair[] = [];
    let offset = 0;
    while (offset < buffer.length) {
        if (offset + 4 > buffer.length) {
            throw new NtlmError("malformed-message", `AV pair header at byte ${offset} of the target info is truncated`);
        }
        const id = buffer.readUInt16LE(offset);
        const length = buffer.readUInt16LE(offset + 2);
        if (id === AvId.EOL) return pairs;
        if (offset + 4 + length > buffer.length) {
            throw new NtlmError(
                "malformed-message",
                `AV pair ${id} at byte ${offset} of the target info claims ${length} bytes, only ${buffer.length - offset - 4} remain`,
            );
        }
        pairs.push({ id, value: Buffer.from(buffer.subarray(offset + 4, offset + 4 + length)) });
        offset += 4 + length;
    }
    return pairs;
}

/** `pairs` followed by MsvAvEOL. Pairs with id EOL in the input are dropped. */
export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
    const parts: Buffer[] = [];
    for (const pair of pairs) {
        if (pair.id === AvId.EOL) continue;
        if (pair.value.length > 0xffff) {
            throw new NtlmError("malformed-message", `AV pair ${pair.id} value is ${pair.value.length} bytes; at most 65535 fit`);
        }
        const header = Buffer.alloc(4);
        header.writeUInt16LE(pair.id, 0);
        header.writeUInt16LE(pair.value.length, 2);
        parts.push(header, pair.value);
    }
    parts.push(Buffer.alloc(4));
    return Buffer.concat(parts);
}

/** The value of the first pair with `id`, or undefined. */
export function findAvPair(pairs: readonly AvPair[], id: number): Buffer | undefined {
    return pairs.find((pair) => pair.id === id)?.value;
}

/** `pairs` with every pair of `id` removed and `value` appended for it. */
export function withAvPair(pairs: readonly AvPair[], id: number, value: Buffer): AvPair[] {
    return [...pairs.filter((pair) => pair.id !== id), { id, value }];
}

/** The target information a server announced, decoded for people and for policy decisions. */
export interface TargetInfo {
    readonly netbiosComputerName?: string;
    readonly netbiosDomainName?: string;
    readonly dnsComputerName?: string;
    readonly dnsDomainName?: string;
    readonly dnsTreeName?: string;
    /** MsvAvFlags (bit 0x2: a MIC is present). */
    readonly flags?: number;
    /** MsvAvTimestamp as the raw 8-byte FILETIME; its presence obliges the client to send a MIC. */
    readonly timestamp?: Buffer;
    /** MsvAvTargetName (the SPN the client meant), UTF-16LE decoded. */
    readonly targetName?: string;
    /** MsvAvChannelBindings: MD5 of the gss_channel_bindings_struct (16 bytes). */
    readonly channelBindings?: Buffer;
}

export function describeTargetInfo(pairs: readonly AvPair[]): TargetInfo {
    const text = (id: number): string | undefined => findAvPair(pairs, id)?.toString("utf16le");
    const flags = findAvPair(pairs, AvId.FLAGS);
    return {
        netbiosComputerName: text(AvId.NB_COMPUTER_NAME),
        netbiosDomainName: text(AvId.NB_DOMAIN_NAME),
        dnsComputerName: text(AvId.DNS_COMPUTER_NAME),
        dnsDomainName: text(AvId.DNS_DOMAIN_NAME),
        dnsTreeName: text(AvId.DNS_TREE_NAME),
        flags: flags && flags.length >= 4 ? flags.readUInt32LE(0) : undefined,
        timestamp: findAvPair(pairs, AvId.TIMESTAMP),
        targetName: text(AvId.TARGET_NAME),
        channelBindings: findAvPair(pairs, AvId.CHANNEL_BINDINGS),
    };
}
