// `npm run cluster`: runs the e2e cluster in the foreground for manual poking with kubectl
// or the client, until Ctrl-C.
import { startCluster } from "./server.js";

const cluster = await startCluster();
console.log(`
kube-apiserver: ${cluster.server}
kubeconfig:     ${cluster.kubeconfigPath}
logs:           ${cluster.dir}/{etcd,kube-apiserver}.log

  export KUBECONFIG=${cluster.kubeconfigPath}

Ctrl-C stops the cluster and deletes ${cluster.dir}.`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  process.stderr.write("\nstopping...\n");
  await cluster.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
