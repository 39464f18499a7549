/**
 * The WS-Management / WinRS protocol layer: builds and reads SOAP messages for the cmd shell,
 * without any network I/O. The WinRM shell client posts what the builders return and hands the
 * response bodies to the readers; the in-repo test server (test/support/wsman) reads requests and builds responses with these pieces.
 */
export * from "./namespaces";
export { formatDuration, parseDuration } from "./duration";
export { BuiltRequest, ReadContext, RequestContext, WsmanOption, newMessageId, normalizeMessageId, parseEnvelope, SoapEnvelope } from "./envelope";
export { FaultDetails, WsmanErrorContext, WsmanFault, WsmanProtocolError, WsmanStep, isOperationTimeout } from "./faults";
export * from "./shell-requests";
export * from "./shell-responses";
export { XmlAttribute, XmlElement, XmlSyntaxError, attributeValue, findChild, findChildren, findDescendant, findPath, parseXml } from "./xml-reader";
