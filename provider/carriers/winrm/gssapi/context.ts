/**
 * A GSSAPI initiator: credentials, one security context with a WinRM server, and message
 * protection with gss_wrap_iov / gss_unwrap_iov. Calls that may reach the KDC
 * (acquiring credentials, each context step) run on koffi's worker threads; wrapping is local
 * and runs in place.
 */
import { bufferDesc, callAsync, gssFunctions, oidDesc, pointerAt, takeBuffer, type GssFunctions, type Pointer } from "./library";
import { GSS_S_CONTINUE_NEEDED, GssapiError, gssError, isGssError } from "./status";

/** The mechanisms WinRM offers: raw Kerberos, or Kerberos inside SPNEGO (HTTP's Negotiate). */
export type GssMechanism = "kerberos" | "spnego";

const MECHANISM_OIDS: Readonly<Record<GssMechanism, string>> = {
    kerberos: "2a864886f712010202", // 1.2.840.113554.1.2.2
    spnego: "2b0601050502", // 1.3.6.1.5.5.2
};
/** GSS_KRB5_NT_PRINCIPAL_NAME (1.2.840.113554.1.2.2.1): "service/host@REALM" as written, no DNS canonicalisation. */
const KRB5_PRINCIPAL_NAME_OID = "2a864886f71201020201";

const GSS_C_DELEG_FLAG = 1;
const GSS_C_MUTUAL_FLAG = 2;
const GSS_C_REPLAY_FLAG = 4;
const GSS_C_SEQUENCE_FLAG = 8;
const GSS_C_CONF_FLAG = 16;
const GSS_C_INTEG_FLAG = 32;
const GSS_C_INITIATE = 1;

const IOV_DATA = 1;
const IOV_HEADER = 2;
const IOV_PADDING = 9;
const IOV_SIZE = 24;

/** Credentials to initiate with: the default ticket cache (KRB5CCNAME), or a principal and its password. */
export type CredentialSource = { readonly kind: "cache" } | { readonly kind: "password"; readonly principal: string; readonly password: string };

export class GssCredential {
    private constructor(
        private readonly functions: GssFunctions,
        /** gss_cred_id_t holder; all zero for GSS_C_NO_CREDENTIAL (the default cache). */
        private readonly holder: Buffer,
    ) {}

    /**
     * The default credentials (null: the ticket cache, read by each context step), or a fresh TGT
     * for `principal` from its password, held in memory only (MIT keeps such credentials in a
     * MEMORY: cache of its own). Throws GssapiError.
     */
    static async acquire(source: CredentialSource, mechanism: GssMechanism): Promise<GssCredential> {
        const functions = gssFunctions();
        const holder = Buffer.alloc(8);
        if (source.kind === "cache") return new GssCredential(functions, holder);
        const name = importName(functions, source.principal, KRB5_PRINCIPAL_NAME_OID);
        const password = Buffer.from(source.password, "utf8");
        try {
            const mechs = oidSet(functions, mechanism);
            const minor = Buffer.alloc(4);
            const major = await callAsync(functions.acquireCredWithPassword, [
                minor,
                pointerAt(functions.koffi, name),
                bufferDesc(functions.koffi, password),
                0,
                mechs.set,
                GSS_C_INITIATE,
                holder,
                null,
                null,
            ]);
            void mechs;
            if (isGssError(major)) throw gssError(functions, "gss_acquire_cred_with_password", major, minor);
            return new GssCredential(functions, holder);
        } finally {
            password.fill(0);
            functions.releaseName(Buffer.alloc(4), name);
        }
    }

    /** The gss_cred_id_t to pass (null for the default). */
    get handle(): Pointer {
        return pointerAt(this.functions.koffi, this.holder);
    }

    release(): void {
        if (this.holder.readBigUInt64LE(0) !== 0n) this.functions.releaseCred(Buffer.alloc(4), this.holder);
    }
}

export interface InitiatorOptions {
    /** "HTTP/host" or "HTTP/host@REALM" (a Kerberos principal name, used as written). */
    readonly servicePrincipal: string;
    readonly mechanism: GssMechanism;
    readonly credential: GssCredential;
    /** Ask for a forwardable TGT to be delegated to the server (GSS_C_DELEG_FLAG). */
    readonly delegate: boolean;
    /** RFC 5929 channel binding application data ("tls-server-end-point:" ‖ hash), over https. */
    readonly channelBindings?: Buffer;
}

/** One security context, from the first token to message protection. Release it when done. */
export class InitiatorContext {
    private readonly functions: GssFunctions;
    private readonly contextHolder = Buffer.alloc(8);
    private readonly target: Buffer;
    private readonly mechanism: ReturnType<typeof oidDesc>;
    private readonly flags: number;
    private readonly bindings: { desc: Buffer; data: Buffer } | undefined;
    private completeState = false;
    private released = false;

    constructor(private readonly options: InitiatorOptions) {
        this.functions = gssFunctions();
        this.target = importName(this.functions, options.servicePrincipal, KRB5_PRINCIPAL_NAME_OID);
        this.mechanism = oidDesc(this.functions.koffi, Buffer.from(MECHANISM_OIDS[options.mechanism], "hex"));
        this.flags =
            GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG | (options.delegate ? GSS_C_DELEG_FLAG : 0);
        if (options.channelBindings !== undefined) {
            const data = Buffer.from(options.channelBindings);
            const desc = Buffer.alloc(64);
            bufferDesc(this.functions.koffi, data).copy(desc, 48);
            this.bindings = { desc, data };
        }
    }

    /** Whether the context is established (the server's final token verified). */
    get complete(): boolean {
        return this.completeState;
    }

    /**
     * One step of gss_init_sec_context: `input` is the server's token (none for the first step).
     * Returns the token to send (empty when there is none) and whether the context is complete.
     * Throws GssapiError: a refused or forged server token fails here, before any message is sent.
     */
    async step(input: Buffer | undefined): Promise<{ readonly token: Buffer; readonly complete: boolean }> {
        this.checkUsable();
        const functions = this.functions;
        const minor = Buffer.alloc(4);
        const inputBytes = input === undefined ? undefined : Buffer.from(input);
        const inputDesc = input === undefined ? null : bufferDesc(functions.koffi, inputBytes);
        const output = bufferDesc(functions.koffi, undefined);
        const returnedFlags = Buffer.alloc(4);
        const major = await callAsync(functions.initSecContext, [
            minor,
            this.options.credential.handle,
            this.contextHolder,
            pointerAt(functions.koffi, this.target),
            this.mechanism.desc,
            this.flags,
            0,
            this.bindings?.desc ?? null,
            inputDesc,
            null,
            output,
            returnedFlags,
            null,
        ]);
        void inputBytes;
        const token = takeBuffer(functions, output);
        if (isGssError(major)) throw gssError(functions, "gss_init_sec_context", major, minor);
        const complete = (major & GSS_S_CONTINUE_NEEDED) === 0;
        if (complete) {
            const granted = returnedFlags.readUInt32LE(0);
            const missing = [
                [GSS_C_MUTUAL_FLAG, "mutual authentication"],
                [GSS_C_CONF_FLAG, "confidentiality"],
                [GSS_C_INTEG_FLAG, "integrity"],
            ].filter(([flag]) => (granted & (flag as number)) === 0).map(([, name]) => name);
            if (missing.length > 0) throw new GssapiError("gss_init_sec_context", 0, 0, `the context lacks ${missing.join(", ")}`, "other");
            this.completeState = true;
        }
        return { token, complete };
    }

    /** Seconds the context has left (0 when it expired). */
    secondsLeft(): number {
        this.checkUsable();
        const time = Buffer.alloc(4);
        const major = this.functions.contextTime(Buffer.alloc(4), pointerAt(this.functions.koffi, this.contextHolder), time);
        return isGssError(major) ? 0 : time.readUInt32LE(0);
    }

    /**
     * Encrypts `plaintext` (gss_wrap_iov with HEADER, DATA and PADDING buffers, as MS-WSMV asks):
     * the header (its size is whatever the mechanism and enctype need) and the encrypted bytes.
     * A mechanism that needs padding (RC4, DES) is refused: the MS-WSMV framing here carries none.
     */
    wrap(plaintext: Uint8Array): { readonly header: Buffer; readonly encrypted: Buffer } {
        this.checkEstablished();
        const functions = this.functions;
        const data = Buffer.from(plaintext);
        const lengths = iovArray([
            [IOV_HEADER, undefined],
            [IOV_DATA, data],
            [IOV_PADDING, undefined],
        ], functions);
        const context = pointerAt(functions.koffi, this.contextHolder);
        let minor = Buffer.alloc(4);
        let major = functions.wrapIovLength(minor, context, 1, 0, null, lengths.array, 3);
        if (isGssError(major)) throw gssError(functions, "gss_wrap_iov_length", major, minor);
        const headerLength = Number(lengths.array.readBigUInt64LE(8));
        const paddingLength = Number(lengths.array.readBigUInt64LE(2 * IOV_SIZE + 8));
        if (paddingLength !== 0) {
            throw new GssapiError("gss_wrap_iov_length", 0, 0, `the session's encryption type needs ${paddingLength} bytes of padding, which WinRM message encryption here does not carry (use an AES enctype)`, "other");
        }
        const header = Buffer.alloc(headerLength);
        const iov = iovArray([
            [IOV_HEADER, header],
            [IOV_DATA, data],
            [IOV_PADDING, undefined],
        ], functions);
        const confState = Buffer.alloc(4);
        minor = Buffer.alloc(4);
        major = functions.wrapIov(minor, context, 1, 0, confState, iov.array, 3);
        if (isGssError(major)) throw gssError(functions, "gss_wrap_iov", major, minor);
        if (confState.readInt32LE(0) === 0) throw new GssapiError("gss_wrap_iov", 0, 0, "the message was not encrypted (no confidentiality)", "other");
        // The header as the IOV reports it after wrapping.
        const written = Number(iov.array.readBigUInt64LE(8));
        return { header: header.subarray(0, written), encrypted: data };
    }

    /** Decrypts and verifies one message from the server; throws GssapiError "integrity" for a changed byte. */
    unwrap(header: Uint8Array, encrypted: Uint8Array): Buffer {
        this.checkEstablished();
        const functions = this.functions;
        const headerCopy = Buffer.from(header);
        const data = Buffer.from(encrypted);
        const iov = iovArray([
            [IOV_HEADER, headerCopy],
            [IOV_DATA, data],
        ], functions);
        const minor = Buffer.alloc(4);
        const confState = Buffer.alloc(4);
        const major = functions.unwrapIov(minor, pointerAt(functions.koffi, this.contextHolder), confState, null, iov.array, 2);
        if (isGssError(major)) {
            const error = gssError(functions, "gss_unwrap_iov", major, minor);
            throw error.problem === "other" ? new GssapiError(error.call, error.major, error.minor, error.message.replace(/^gss_unwrap_iov failed: /, ""), "integrity") : error;
        }
        if (confState.readInt32LE(0) === 0) throw new GssapiError("gss_unwrap_iov", 0, 0, "the server's message was not encrypted", "integrity");
        return Buffer.from(data.subarray(0, Number(iov.array.readBigUInt64LE(IOV_SIZE + 8))));
    }

    /** Deletes the context and frees the name; further use throws. */
    release(): void {
        if (this.released) return;
        this.released = true;
        if (this.contextHolder.readBigUInt64LE(0) !== 0n) this.functions.deleteSecContext(Buffer.alloc(4), this.contextHolder, null);
        this.functions.releaseName(Buffer.alloc(4), this.target);
    }

    private checkUsable(): void {
        if (this.released) throw new GssapiError("GSSAPI", 0, 0, "the security context was released", "other");
    }

    private checkEstablished(): void {
        this.checkUsable();
        if (!this.completeState) throw new GssapiError("GSSAPI", 0, 0, "the security context is not established yet", "other");
    }
}

/** gss_import_name into a fresh holder (release with gss_release_name). Throws GssapiError. */
function importName(functions: GssFunctions, text: string, typeOid: string): Buffer {
    const bytes = Buffer.from(text, "utf8");
    const type = oidDesc(functions.koffi, Buffer.from(typeOid, "hex"));
    const holder = Buffer.alloc(8);
    const minor = Buffer.alloc(4);
    const major = functions.importName(minor, bufferDesc(functions.koffi, bytes), type.desc, holder);
    if (isGssError(major)) throw gssError(functions, `gss_import_name("${text}")`, major, minor);
    return holder;
}

/** A gss_OID_set holding one mechanism ({ size_t count; gss_OID elements; }), with what it points at. */
function oidSet(functions: GssFunctions, mechanism: GssMechanism): { set: Buffer; oid: ReturnType<typeof oidDesc> } {
    const oid = oidDesc(functions.koffi, Buffer.from(MECHANISM_OIDS[mechanism], "hex"));
    const set = Buffer.alloc(16);
    set.writeBigUInt64LE(1n, 0);
    set.writeBigUInt64LE(functions.koffi.address(oid.desc), 8);
    return { set, oid };
}

/** An array of gss_iov_buffer_desc over the given Buffers (undefined: empty), kept referenced with it. */
function iovArray(buffers: ReadonlyArray<readonly [number, Buffer | undefined]>, functions: GssFunctions): { array: Buffer; buffers: ReadonlyArray<Buffer | undefined> } {
    const array = Buffer.alloc(IOV_SIZE * buffers.length);
    buffers.forEach(([type, bytes], index) => {
        array.writeUInt32LE(type, index * IOV_SIZE);
        bufferDesc(functions.koffi, bytes).copy(array, index * IOV_SIZE + 8);
    });
    return { array, buffers: buffers.map(([, bytes]) => bytes) };
}
