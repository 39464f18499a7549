/**
 * How a user name given by a person maps onto NTLM's UserName and DomainName fields.
 *
 * - "DOMAIN\user" (down-level logon name): user "user", domain "DOMAIN".
 * - "user@example.com" (UPN): user "user@example.com", domain "" — Windows' own client sends a
 *   UPN whole with an empty domain and the domain controller resolves it; splitting it would put
 *   a DNS suffix where a NetBIOS domain is expected and change the NTLMv2 hash input.
 * - "user": user "user", domain "" (a local account of the target machine).
 */
export interface NtlmUserName {
    readonly user: string;
    readonly domain: string;
}

export function parseUserName(name: string): NtlmUserName {
    const backslash = name.indexOf("\\");
    const parsed = backslash >= 0 ? { user: name.slice(backslash + 1), domain: name.slice(0, backslash) } : { user: name, domain: "" };
    if (parsed.user === "") {
        throw new Error(`user name ${JSON.stringify(name)} has no user part; expected "DOMAIN\\user", "user@domain" or "user"`);
    }
    if (parsed.user.includes("\\")) {
        throw new Error(`user name ${JSON.stringify(name)} has more than one backslash; expected "DOMAIN\\user"`);
    }
    return parsed;
}

/**
 * The account part of a user name, uppercased, for comparing who a message is from with who an
 * account is: "DOM\Alice", "alice@dom.example" and "ALICE" all give "ALICE".
 */
export function accountKey(name: NtlmUserName): string {
    const at = name.domain === "" ? name.user.indexOf("@") : -1;
    return (at > 0 ? name.user.slice(0, at) : name.user).toUpperCase();
}
