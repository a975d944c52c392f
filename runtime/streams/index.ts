/** kubegen/streams: pod logs, exec, attach, port-forward and proxy. A separate entry point, so ordinary calls pay nothing for it. */
export {
  exec,
  attach,
  run,
  type AttachParams,
  type ExecParams,
  type ExecOptions,
  type ExecSession,
  type ExitStatus,
  type RunParams,
  type RunResult,
} from "./exec.js";
export {
  portForward,
  portForwardConnection,
  PortForwardError,
  CHANNEL_PROTOCOL,
  TUNNEL_PROTOCOL,
  type PortForwardConnection,
  type PortForwardParams,
  type PortForwardOptions,
  type PortForwardServerOptions,
  type PortForwarder,
} from "./portforward.js";
export { streamNamespacedPodLog, type LogStream, type PodLogParams } from "./logs.js";
export {
  proxyPod,
  proxyService,
  proxyNode,
  type ProxyParams,
  type ProxyResponse,
} from "./proxy.js";
