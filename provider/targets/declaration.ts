/**
 * How a target kind is declared: once, as a table of fields. Everything else about the kind is
 * derived from that table, so adding a field or a kind means writing it in one place:
 * - the TypeScript types of the provider's target and of the SDK's Args (`TargetValues`, and
 *   `sdk/index.ts`'s `TargetInputs`), with the doc comments written on the table's properties;
 * - `check`: unknown fields, each field's type, required fields, then the kind's cross-field rules,
 *   each rule written once with one message;
 * - the identity (fields marked `identity`: changing one replaces the resource);
 * - the connection settings and the pool key (fields marked `connection`);
 * - which fields are secret (never quoted in a message; the SDK makes the target secret).
 *
 * Pure: no I/O (parsing a certificate is not I/O), nothing about any transport. Values not known yet (preview) pass the type check,
 * and a rule that reads an unknown value is skipped.
 */
import { X509Certificate } from "crypto";
import { CheckFailure, isUnknown, show } from "../settings/inputs";

/**
 * One field of a target kind. `T` is its value's type; `R` whether it is required; `C` whether it
 * is part of the connection; `D` whether it has a default. The flags are types as well as values so
 * that the carriers' option types are derived from the table (ConnectionValues), not restated.
 */
export interface Field<T, R extends boolean = boolean, C extends boolean = boolean, D extends boolean = boolean> {
    /** Why `value` (known, not undefined or null) is unacceptable, e.g. "must be ..., got 3"; undefined when fine. */
    readonly check: (value: unknown, quote: (value: unknown) => string) => string | undefined;
    readonly required: R;
    /** Never quoted back; the SDK marks the whole target secret when one is set. */
    readonly secret: boolean;
    /** Part of what the target names (server and file): a new value replaces the resource. */
    readonly identity: boolean;
    /** Part of the connection: operations whose connection fields are equal share a connection. */
    readonly connection: C;
    /** Phantom: whether defaultValue is set. */
    readonly hasDefault?: D;
    /** Used when the field is not given (for rules, the identity and the connection). */
    readonly defaultValue: T | undefined;
    /** For the identity: the form in which two values that mean the same server or file are equal. */
    identityForm(value: T): string;
    /** For the connection key: the form in which two values reach the same server the same way (host names ignore case). */
    connectionForm(value: T): unknown;
    /** A nested group of fields (e.g. a jump host), checked with the same rules. */
    readonly fields?: Fields;
    /** Phantom: carries T for the derived types. */
    readonly valueType?: T;
}

export type Fields = { readonly [name: string]: Field<unknown> };

/** A problem a cross-field rule found. */
export interface FieldProblem {
    readonly field: string;
    readonly reason: string;
}

/**
 * A rule about several fields of one kind, written once. `reads` names the fields it looks at:
 * when one of them is not known yet (preview), the rule is skipped. `values` has defaults applied.
 */
export interface Rule {
    readonly reads: readonly string[];
    readonly check: (values: Readonly<Record<string, unknown>>, given: (field: string) => boolean) => FieldProblem | undefined;
}

export interface TargetKind<K extends string = string, F extends Fields = Fields> {
    readonly kind: K;
    readonly fields: F;
    readonly rules: readonly Rule[];
}

type ValueOf<F> = F extends Field<infer T, boolean> ? T : never;

/** Names of the connection fields of `F`. */
type ConnectionNames<F extends Fields> = { [N in keyof F]: F[N] extends Field<unknown, boolean, true> ? N : never }[keyof F];

/** Whether a field always has a value once defaults are applied. */
type AlwaysSet<X> = X extends Field<unknown, true> ? true : X extends Field<unknown, boolean, boolean, true> ? true : false;

/** A connection field's value; a nested group's is its own ConnectionValues. */
type ConnectionValueOf<X> = X extends { readonly fields: infer G extends Fields } ? ConnectionValues<G> : ValueOf<X>;

/**
 * The connection settings of a kind with defaults applied (what `connectionSettings` returns):
 * fields required or defaulted are present. The carriers' options must accept this type, so the
 * compiler ties each declared field to the carrier option of the same name.
 */
export type ConnectionValues<F extends Fields> = {
    -readonly [N in ConnectionNames<F> as AlwaysSet<F[N]> extends true ? N : never]: ConnectionValueOf<F[N]>;
} & {
    -readonly [N in ConnectionNames<F> as AlwaysSet<F[N]> extends true ? never : N]?: ConnectionValueOf<F[N]>;
};

/** A kind's target as the provider sees it after check: required fields present, the rest optional. */
export type TargetValues<K extends string, F extends Fields> = { kind: K } & {
    -readonly [N in keyof F as F[N] extends Field<unknown, true> ? N : never]: ValueOf<F[N]>;
} & {
    -readonly [N in keyof F as F[N] extends Field<unknown, true> ? never : N]?: ValueOf<F[N]>;
};

/** The values of a nested group of fields. */
export type GroupValues<F extends Fields> = {
    -readonly [N in keyof F as F[N] extends Field<unknown, true> ? N : never]: ValueOf<F[N]>;
} & {
    -readonly [N in keyof F as F[N] extends Field<unknown, true> ? never : N]?: ValueOf<F[N]>;
};

interface FieldOptions<T> {
    required?: boolean;
    secret?: boolean;
    identity?: boolean;
    connection?: boolean;
    default?: T;
    identityForm?: (value: T) => string;
    connectionForm?: (value: T) => unknown;
}

/** The field a constructor called with options `O` makes: its flags read from `O` as types. */
type FieldWith<T, O> = Field<
    T,
    O extends { required: true } ? true : false,
    O extends { connection: true } ? true : false,
    O extends { default: unknown } ? true : false
>;

function field<T, O extends FieldOptions<T>>(check: Field<T>["check"], options: O, fields?: Fields): FieldWith<T, O> {
    return {
        check,
        required: options.required ?? false,
        secret: options.secret ?? false,
        identity: options.identity ?? false,
        connection: options.connection ?? false,
        defaultValue: options.default,
        identityForm: options.identityForm ?? ((value: T) => String(value).toLowerCase()),
        connectionForm: options.connectionForm ?? ((value: T) => value),
        fields,
    } as FieldWith<T, O>;
}

/** A non-empty string. */
export function text<O extends FieldOptions<string> = {}>(options: O = {} as O): FieldWith<string, O> {
    return field<string, O>((value, quote) => (typeof value === "string" && value.trim() !== "" ? undefined : `must be a non-empty string${quote(value)}`), options);
}

/**
 * A host name or IP address: no scheme, port, path or user. Names ignore case (DNS does, RFC 4343),
 * so "WEB01" and "web01" are one server and share one connection.
 */
export function hostName<O extends FieldOptions<string> = {}>(options: O = {} as O): FieldWith<string, O> {
    return field<string, O>(
        (value, quote) =>
            typeof value === "string" && /^(\[[0-9a-fA-F:.]+\]|[^\s/:\\@]+|[0-9a-fA-F:]+)$/.test(value)
                ? undefined
                : `must be a host name or IP address (no scheme, port or path)${quote(value)}`,
        { identityForm: sameHost, connectionForm: sameHost, ...options },
    );
}

/** A host name in the form two spellings of one server share. */
export function sameHost(host: string): string {
    return host.trim().toLowerCase();
}

export function port<O extends FieldOptions<number> = {}>(options: O = {} as O): FieldWith<number, O> {
    return field<number, O>(
        (value, quote) => (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535 ? undefined : `must be a whole number from 1 to 65535${quote(value)}`),
        options,
    );
}

export function flag<O extends FieldOptions<boolean> = {}>(options: O = {} as O): FieldWith<boolean, O> {
    return field<boolean, O>((value, quote) => (typeof value === "boolean" ? undefined : `must be true or false${quote(value)}`), options);
}

export function seconds<O extends FieldOptions<number> = {}>(min: number, max: number, options: O = {} as O): FieldWith<number, O> {
    return field<number, O>(
        (value, quote) => (typeof value === "number" && value >= min && value <= max ? undefined : `must be a number of seconds from ${min} to ${max}${quote(value)}`),
        options,
    );
}

/** One of a few strings; `meanings` explains each in the message. */
export function choice<V extends string, O extends FieldOptions<V> = {}>(
    values: readonly V[],
    meanings: Readonly<Record<V, string>>,
    options: O = {} as O,
): FieldWith<V, O> {
    const allowed = values.map((value) => `"${value}" (${meanings[value]})`).join(", ");
    return field<V, O>((value, quote) => ((values as readonly unknown[]).includes(value) ? undefined : `must be one of ${allowed}${quote(value)}`), options);
}

/**
 * One or more PEM certificates, each block readable as X.509 (a truncated or garbled one would
 * otherwise pass check and fail at connect time as "not trusted"). `what` says what it is for.
 */
export function pemCertificate<O extends FieldOptions<string> = {}>(what: string, options: O = {} as O): FieldWith<string, O> {
    return field<string, O>((value) => {
        const problem = typeof value === "string" ? pemCertificateProblem(value) : "not a string";
        return problem === undefined ? undefined : `must be ${what}: ${problem}`;
    }, options);
}

/** Why `pem` is not one or more readable PEM certificates, or undefined. */
export function pemCertificateProblem(pem: string): string | undefined {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
    if (!blocks) return "no -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block";
    for (const [index, block] of blocks.entries()) {
        try {
            new X509Certificate(block);
        } catch (error) {
            return `certificate ${index + 1} of ${blocks.length} cannot be read (${error instanceof Error ? error.message : String(error)})`;
        }
    }
    return undefined;
}

/**
 * An absolute path on the server: C:\... or \\server\share\... on Windows, /... on Linux (which
 * form a target needs is its `platform` rule's business).
 */
export function serverPath<O extends FieldOptions<string> = {}>(example: string, options: O = {} as O): FieldWith<string, O> {
    return field<string, O>((value, quote) => {
        const allowed = `an absolute path on the server such as ${example} or \\\\server\\share\\applicationHost.config (or /... with platform "linux")`;
        if (typeof value !== "string" || !/^([a-zA-Z]:\\|\\\\[^\\]+\\|\/)/.test(value)) return `must be ${allowed}${quote(value)}`;
        const device = deviceProblem(value);
        return device === undefined ? undefined : `must name a file, not ${device}${quote(value)}`;
    }, options);
}

/** Windows names that open a device rather than a file, in any folder and with any extension (CON, NUL.config, COM1, ...). */
const RESERVED_DEVICE_NAME = /^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])(\.[^\\/]*)?[ .]*$/i;

/**
 * What a server path names when it is not a file: the Win32 device namespaces (\\.\pipe\x,
 * \\.\C:, \\?\GLOBALROOT\...), a reserved device name, or a control character (which no
 * Windows file name holds). Undefined for an ordinary path.
 */
export function deviceProblem(path: string): string | undefined {
    if (/^[\\/][\\/][.?][\\/]/.test(path) || path.startsWith("\\??\\")) return "a path in the Win32 device or raw namespaces (\\\\.\\ or \\\\?\\; give the plain path)";
    if (/[\u0000-\u001f]/.test(path)) return "a path with control characters";
    const last = path.split(/[\\/]/).pop() ?? "";
    if (RESERVED_DEVICE_NAME.test(last)) return `the Windows device name ${JSON.stringify(last.replace(/\..*$/, "").toUpperCase())}`;
    return undefined;
}

/** An OpenSSH host key fingerprint: "SHA256:" and 43 characters of unpadded base64. */
export function sha256Fingerprint<O extends FieldOptions<string> = {}>(options: O = {} as O): FieldWith<string, O> {
    return field<string, O>(
        (value, quote) =>
            typeof value === "string" && /^SHA256:[A-Za-z0-9+/]{43}=?$/.test(value)
                ? undefined
                : `must be the server's host key fingerprint as \`ssh-keygen -lf\` prints it ("SHA256:" and 43 base64 characters)${quote(value)}`,
        options,
    );
}

/** A nested group of fields, such as a jump host. */
export function group<G extends Fields, O extends FieldOptions<GroupValues<G>> = {}>(fields: G, options: O = {} as O): Omit<FieldWith<GroupValues<G>, O>, "fields"> & { readonly fields: G } {
    return field<GroupValues<G>, O>((value) => (typeof value === "object" && !Array.isArray(value) ? undefined : "must be an object"), options, fields) as Omit<FieldWith<GroupValues<G>, O>, "fields"> & { readonly fields: G };
}

/** Whether a value counts as given (null is how some languages leave a field out). */
function given(value: unknown): boolean {
    return value !== undefined && value !== null;
}

/**
 * Checks `value` as a target of `kind` (its `kind` field already matched), pushing failures that
 * name the field ("target.port") and say what is allowed; then the kind's rules, each skipped when
 * a field it reads is unknown or already failed. Returns the target with only declared,
 * given fields, or undefined when nothing usable is left.
 */
export function checkTargetOf(kind: TargetKind, value: Readonly<Record<string, unknown>>, failures: CheckFailure[], property = "target"): Record<string, unknown> {
    const before = failures.length;
    const checked = checkGroup(kind.fields, value, failures, property, `a "${kind.kind}" target`, ["kind"]);
    // A rule about a field that already failed its own check would only say it again.
    const failed = new Set(failures.slice(before).map((failure) => failure.property.slice(property.length + 1)));
    const values = withDefaults(kind.fields, value);
    for (const rule of kind.rules) {
        if (rule.reads.some((name) => isUnknown(value[name]) || failed.has(name))) continue;
        const problem = rule.check(values, (name) => given(value[name]));
        if (problem !== undefined) failures.push({ property: `${property}.${problem.field}`, reason: `${property}.${problem.field} ${problem.reason}` });
    }
    return { kind: kind.kind, ...checked };
}

function checkGroup(
    fields: Fields,
    value: Readonly<Record<string, unknown>>,
    failures: CheckFailure[],
    property: string,
    what: string,
    alsoAllowed: readonly string[] = [],
): Record<string, unknown> {
    const fail = (name: string, reason: string) => failures.push({ property: `${property}.${name}`, reason: `${property}.${name} ${reason}` });
    const names = Object.keys(fields);
    for (const name of Object.keys(value)) {
        if (!names.includes(name) && !alsoAllowed.includes(name)) fail(name, `is not a field of ${what} (fields: ${[...alsoAllowed, ...names].join(", ")})`);
    }
    const checked: Record<string, unknown> = {};
    for (const name of names) {
        const spec = fields[name];
        const fieldValue = value[name];
        if (!given(fieldValue)) {
            if (spec.required) fail(name, "is required");
            continue;
        }
        checked[name] = fieldValue;
        if (isUnknown(fieldValue)) continue;
        const quote = (shown: unknown) => (spec.secret ? "" : `, got ${show(shown)}`);
        const reason = spec.check(fieldValue, quote);
        if (reason !== undefined) {
            fail(name, reason);
        } else if (spec.fields !== undefined) {
            checked[name] = checkGroup(spec.fields, fieldValue as Record<string, unknown>, failures, `${property}.${name}`, `${property}.${name}`);
        }
    }
    return checked;
}

/** The target's fields with declared defaults filled in (nested groups too). */
export function withDefaults(fields: Fields, value: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(fields)) {
        const fieldValue = given(value[name]) ? value[name] : spec.defaultValue;
        if (fieldValue === undefined) continue;
        values[name] = spec.fields !== undefined && typeof fieldValue === "object" ? withDefaults(spec.fields, fieldValue as Record<string, unknown>) : fieldValue;
    }
    return values;
}

/** "kind:value:value": the identity fields (defaults applied) in their identity form, in declaration order. */
export function identityOf(kind: TargetKind, target: Readonly<Record<string, unknown>>): string {
    const values = withDefaults(kind.fields, target);
    const parts = Object.entries(kind.fields)
        .filter(([, spec]) => spec.identity)
        .map(([name, spec]) => (values[name] === undefined ? "" : spec.identityForm(values[name])));
    return [kind.kind, ...parts].join(":");
}

/** True if a field that makes the identity is not known yet (preview). */
export function identityFieldUnknown(kind: TargetKind, target: Readonly<Record<string, unknown>>): boolean {
    return Object.entries(kind.fields).some(([name, spec]) => spec.identity && isUnknown(target[name]));
}

/** The connection fields of a checked target with defaults applied, nested groups in full: what a carrier is opened with. */
export function connectionSettings<K extends string, F extends Fields>(kind: TargetKind<K, F>, target: TargetValues<K, F>): ConnectionValues<F> {
    const values = withDefaults(kind.fields, target);
    const settings: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(kind.fields)) if (spec.connection && values[name] !== undefined) settings[name] = values[name];
    return settings as ConnectionValues<F>;
}

/**
 * What decides whether two operations may share a connection: the connection settings (defaults
 * applied, nested groups in full), each in its field's connection form, so every spelling of one
 * host's name shares one connection while a changed password or port does not.
 */
export function connectionIdentity<K extends string, F extends Fields>(kind: TargetKind<K, F>, target: TargetValues<K, F> & { host: string }): Record<string, unknown> & { host: string } {
    return inConnectionForm(kind.fields, connectionSettings(kind, target)) as Record<string, unknown> & { host: string };
}

function inConnectionForm(fields: Fields, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const formed: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(values)) {
        const spec = fields[name];
        if (spec === undefined) continue;
        formed[name] = spec.fields !== undefined && typeof value === "object" && value !== null
            ? inConnectionForm(spec.fields, value as Record<string, unknown>)
            : spec.connectionForm(value);
    }
    return formed;
}

/** Whether any secret field (nested ones included) is set. */
export function holdsSecret(fields: Fields, target: Readonly<Record<string, unknown>>): boolean {
    return Object.entries(fields).some(([name, spec]) => {
        const value = target[name];
        if (!given(value)) return false;
        if (spec.secret) return true;
        return spec.fields !== undefined && typeof value === "object" && holdsSecret(spec.fields, value as Record<string, unknown>);
    });
}
