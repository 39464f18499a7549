/** Wire constants of MS-NLMP. */

/** NegotiateFlags bits (MS-NLMP 2.2.2.5). Only the ones this implementation reads or sets. */
export const NegotiateFlag = {
    UNICODE: 0x00000001,
    OEM: 0x00000002,
    REQUEST_TARGET: 0x00000004,
    SIGN: 0x00000010,
    SEAL: 0x00000020,
    LM_KEY: 0x00000080,
    NTLM: 0x00000200,
    ANONYMOUS: 0x00000800,
    ALWAYS_SIGN: 0x00008000,
    TARGET_TYPE_DOMAIN: 0x00010000,
    TARGET_TYPE_SERVER: 0x00020000,
    EXTENDED_SESSIONSECURITY: 0x00080000,
    TARGET_INFO: 0x00800000,
    VERSION: 0x02000000,
    NEGOTIATE_128: 0x20000000,
    KEY_EXCH: 0x40000000,
    NEGOTIATE_56: 0x80000000,
} as const;

/**
 * The flags both sides must end up with for WinRM message encryption: NTLMv2 with Extended
 * Session Security, a random exported session key, 128-bit keys, signing and sealing. This is the
 * only mode the session-security layer implements (every Windows version since Vista offers it).
 */
export const REQUIRED_FLAGS: readonly { readonly flag: number; readonly name: string }[] = [
    { flag: NegotiateFlag.UNICODE, name: "NTLMSSP_NEGOTIATE_UNICODE" },
    { flag: NegotiateFlag.NTLM, name: "NTLMSSP_NEGOTIATE_NTLM" },
    { flag: NegotiateFlag.EXTENDED_SESSIONSECURITY, name: "NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY" },
    { flag: NegotiateFlag.SIGN, name: "NTLMSSP_NEGOTIATE_SIGN" },
    { flag: NegotiateFlag.SEAL, name: "NTLMSSP_NEGOTIATE_SEAL" },
    { flag: NegotiateFlag.KEY_EXCH, name: "NTLMSSP_NEGOTIATE_KEY_EXCH" },
    { flag: NegotiateFlag.NEGOTIATE_128, name: "NTLMSSP_NEGOTIATE_128" },
];

/** AV_PAIR AvId values (MS-NLMP 2.2.2.1). */
export const AvId = {
    EOL: 0,
    NB_COMPUTER_NAME: 1,
    NB_DOMAIN_NAME: 2,
    DNS_COMPUTER_NAME: 3,
    DNS_DOMAIN_NAME: 4,
    DNS_TREE_NAME: 5,
    FLAGS: 6,
    TIMESTAMP: 7,
    SINGLE_HOST: 8,
    TARGET_NAME: 9,
    CHANNEL_BINDINGS: 10,
} as const;

/** MsvAvFlags bit: the AUTHENTICATE_MESSAGE carries a MIC. */
export const AV_FLAG_MIC_PRESENT = 0x00000002;

/** MessageType field values. */
export const MessageType = {
    NEGOTIATE: 1,
    CHALLENGE: 2,
    AUTHENTICATE: 3,
} as const;

/** "NTLMSSP\0", the Signature field every message starts with. */
export const NTLMSSP_SIGNATURE_HEX = "4e544c4d53535000";

/** Lists the names of the flags in REQUIRED_FLAGS that `flags` lacks (empty when all are set). */
export function missingRequiredFlags(flags: number): string[] {
    return REQUIRED_FLAGS.filter((required) => (flags & required.flag) === 0).map((required) => required.name);
}

/** Flags as the 0x-prefixed 8-digit hex MS-NLMP's examples use, for error messages. */
export function formatFlags(flags: number): string {
    return `0x${(flags >>> 0).toString(16).padStart(8, "0")}`;
}
