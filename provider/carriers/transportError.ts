/**
 * A failure of one channel to a server (WinRM, SSH): which endpoint, at which step, what kind of
 * problem. The message always reads "<host>: <protocol> <step> <description>", so every transport
 * names the host, the step and the cause the same way.
 */
export class TransportError<Step extends string, Problem extends string> extends Error {
    /** "host:port" of the endpoint that failed. */
    readonly host: string;
    readonly step: Step;
    readonly problem: Problem;

    constructor(protocol: string, host: string, step: Step, problem: Problem, description: string) {
        const message = `${host}: ${protocol} ${step} ${description}`;
        super(message);
        this.host = host;
        this.step = step;
        this.problem = problem;
    }
}
