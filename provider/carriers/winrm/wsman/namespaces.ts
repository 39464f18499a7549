/**
 * Namespace, action and resource URIs of WS-Management (DSP0226) and its Windows Remote Shell
 * extension (MS-WSMV). Peers choose their own prefixes (Windows s/a/w/p/rsp, OMI SOAP-ENV/wsa/wsman,
 * pypsrp wsa/wsman/wsmv), so readers match by these URIs, never by prefix.
 */

export const NS_SOAP = "http://www.w3.org/2003/05/soap-envelope";
export const NS_ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
export const NS_WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd";
/** Microsoft's WS-Management extensions (DataLocale, SessionId); the "p" of Windows, "wsmv" of pypsrp. */
export const NS_WSMV = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd";
export const NS_SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell";
export const NS_TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer";
export const NS_WSMAN_FAULT = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault";
/** The namespace of `p:MSFT_WmiError` fault details (quota errors such as MaxShellsPerUser). */
export const NS_WMI_ERROR = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError";
/** The built-in namespace bound to the `xml` prefix (xml:lang). */
export const NS_XML = "http://www.w3.org/XML/1998/namespace";

export const ADDRESS_ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";

export const RESOURCE_URI_CMD = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd";

export const ACTION_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create";
export const ACTION_CREATE_RESPONSE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse";
export const ACTION_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete";
export const ACTION_DELETE_RESPONSE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse";
export const ACTION_COMMAND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command";
export const ACTION_COMMAND_RESPONSE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse";
export const ACTION_SEND = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send";
export const ACTION_SEND_RESPONSE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse";
export const ACTION_RECEIVE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive";
export const ACTION_RECEIVE_RESPONSE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse";
export const ACTION_SIGNAL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal";
export const ACTION_SIGNAL_RESPONSE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse";
/** The action servers put on SOAP faults (DSP0226 §14.6). */
export const ACTION_FAULT = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault";

export const SIGNAL_TERMINATE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate";
export const SIGNAL_CTRL_C = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c";

/** rsp:CommandState/@State values are this prefix followed by Running, Done or Pending. */
export const COMMAND_STATE_PREFIX = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/";

/** WSManFault codes with a meaning callers act on (MS-WSMV, and seen in the recorded exchanges). */
export const FAULT_CODE = {
    /** 0x80338029 w:TimedOut on Receive: no output within OperationTimeout; poll again. */
    operationTimeout: 2150858793,
    /** 0x8033805B w:InvalidSelectors: unknown shell or command id (e.g. the shell idled out). */
    invalidSelectors: 2150858843,
    /** 0x803381A5 MaxShellsPerUser exceeded (usually reported through MSFT_WmiError). */
    maxShellsPerUser: 2150859173,
    /** 0x80070002 the system cannot find the file specified. */
    fileNotFound: 2147942402,
    /** ERROR_INVALID_PARAMETER. */
    invalidParameter: 87,
} as const;
