/** Realistic pod objects (~5 KB serialized, managedFields included), as a Deployment's pod looks on a live cluster. */

export const NAMESPACE = "bench";
export const TOKEN = "bench-token-0123456789abcdef";

function hex(i: number, width: number): string {
  return ((i * 2654435761) >>> 0).toString(16).padStart(8, "0").repeat(4).slice(0, width);
}

function uid(i: number): string {
  const h = hex(i + 7, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Pod number `i` in `namespace`, with the given resourceVersion. */
export function makePod(
  i: number,
  namespace = NAMESPACE,
  resourceVersion = String(100_000 + i),
): Record<string, unknown> {
  const hash = hex(i, 10);
  const name = `web-frontend-7d9f8c6b5-${hash.slice(0, 5)}`;
  const ip = `10.244.${(i >> 8) & 255}.${i & 255}`;
  const created = "2026-03-14T09:26:53Z";
  const started = "2026-03-14T09:27:01Z";
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: {
      name,
      generateName: "web-frontend-7d9f8c6b5-",
      namespace,
      uid: uid(i),
      resourceVersion,
      creationTimestamp: created,
      labels: {
        app: "web-frontend",
        "app.kubernetes.io/name": "web-frontend",
        "pod-template-hash": "7d9f8c6b5",
        tier: "frontend",
      },
      annotations: {
        "prometheus.io/port": "9090",
        "prometheus.io/scrape": "true",
      },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "web-frontend-7d9f8c6b5",
          uid: uid(1_000_000),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: "kube-controller-manager",
          operation: "Update",
          apiVersion: "v1",
          time: created,
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:metadata": {
              "f:annotations": {
                ".": {},
                "f:prometheus.io/port": {},
                "f:prometheus.io/scrape": {},
              },
              "f:generateName": {},
              "f:labels": {
                ".": {},
                "f:app": {},
                "f:app.kubernetes.io/name": {},
                "f:pod-template-hash": {},
                "f:tier": {},
              },
              "f:ownerReferences": { ".": {}, [`k:{"uid":"${uid(1_000_000)}"}`]: {} },
            },
            "f:spec": {
              "f:containers": {
                'k:{"name":"web"}': {
                  ".": {},
                  "f:env": {
                    ".": {},
                    'k:{"name":"LOG_LEVEL"}': { ".": {}, "f:name": {}, "f:value": {} },
                    'k:{"name":"POD_NAME"}': {
                      ".": {},
                      "f:name": {},
                      "f:valueFrom": { ".": {}, "f:fieldRef": {} },
                    },
                  },
                  "f:image": {},
                  "f:imagePullPolicy": {},
                  "f:name": {},
                  "f:ports": {
                    ".": {},
                    'k:{"containerPort":8080,"protocol":"TCP"}': {
                      ".": {},
                      "f:containerPort": {},
                      "f:name": {},
                      "f:protocol": {},
                    },
                  },
                  "f:readinessProbe": {
                    ".": {},
                    "f:httpGet": { ".": {}, "f:path": {}, "f:port": {}, "f:scheme": {} },
                    "f:periodSeconds": {},
                  },
                  "f:resources": {
                    ".": {},
                    "f:limits": { ".": {}, "f:memory": {} },
                    "f:requests": { ".": {}, "f:cpu": {}, "f:memory": {} },
                  },
                  "f:volumeMounts": {
                    ".": {},
                    'k:{"mountPath":"/etc/web"}': {
                      ".": {},
                      "f:mountPath": {},
                      "f:name": {},
                      "f:readOnly": {},
                    },
                  },
                },
              },
              "f:dnsPolicy": {},
              "f:enableServiceLinks": {},
              "f:restartPolicy": {},
              "f:schedulerName": {},
              "f:securityContext": { ".": {}, "f:runAsNonRoot": {} },
              "f:terminationGracePeriodSeconds": {},
              "f:volumes": {
                ".": {},
                'k:{"name":"config"}': {
                  ".": {},
                  "f:configMap": { ".": {}, "f:defaultMode": {}, "f:name": {} },
                  "f:name": {},
                },
              },
            },
          },
        },
        {
          manager: "kubelet",
          operation: "Update",
          apiVersion: "v1",
          time: started,
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:status": {
              "f:conditions": {
                'k:{"type":"ContainersReady"}': {
                  ".": {},
                  "f:lastProbeTime": {},
                  "f:lastTransitionTime": {},
                  "f:status": {},
                  "f:type": {},
                },
                'k:{"type":"Initialized"}': {
                  ".": {},
                  "f:lastProbeTime": {},
                  "f:lastTransitionTime": {},
                  "f:status": {},
                  "f:type": {},
                },
                'k:{"type":"Ready"}': {
                  ".": {},
                  "f:lastProbeTime": {},
                  "f:lastTransitionTime": {},
                  "f:status": {},
                  "f:type": {},
                },
              },
              "f:containerStatuses": {},
              "f:hostIP": {},
              "f:hostIPs": {},
              "f:phase": {},
              "f:podIP": {},
              "f:podIPs": { ".": {}, [`k:{"ip":"${ip}"}`]: { ".": {}, "f:ip": {} } },
              "f:startTime": {},
            },
          },
          subresource: "status",
        },
      ],
    },
    spec: {
      volumes: [
        { name: "config", configMap: { name: "web-frontend-config", defaultMode: 420 } },
        {
          name: `kube-api-access-${hash.slice(5, 10)}`,
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              {
                configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] },
              },
              {
                downwardAPI: {
                  items: [
                    {
                      path: "namespace",
                      fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" },
                    },
                  ],
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: [
        {
          name: "web",
          image: "registry.example.com/storefront/web-frontend:v2.14.3",
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
          env: [
            { name: "LOG_LEVEL", value: "info" },
            {
              name: "POD_NAME",
              valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } },
            },
          ],
          resources: { limits: { memory: "512Mi" }, requests: { cpu: "250m", memory: "256Mi" } },
          volumeMounts: [
            { name: "config", readOnly: true, mountPath: "/etc/web" },
            {
              name: `kube-api-access-${hash.slice(5, 10)}`,
              readOnly: true,
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
            },
          ],
          readinessProbe: {
            httpGet: { path: "/ready", port: 8080, scheme: "HTTP" },
            timeoutSeconds: 1,
            periodSeconds: 5,
            successThreshold: 1,
            failureThreshold: 3,
          },
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          imagePullPolicy: "IfNotPresent",
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "default",
      serviceAccount: "default",
      nodeName: `worker-${i % 7}`,
      securityContext: { runAsNonRoot: true },
      schedulerName: "default-scheduler",
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
    },
    status: {
      phase: "Running",
      conditions: [
        { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: created },
        { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: started },
        {
          type: "ContainersReady",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: started,
        },
        { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: created },
      ],
      hostIP: `172.18.0.${2 + (i % 7)}`,
      hostIPs: [{ ip: `172.18.0.${2 + (i % 7)}` }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: created,
      containerStatuses: [
        {
          name: "web",
          state: { running: { startedAt: started } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: "registry.example.com/storefront/web-frontend:v2.14.3",
          imageID: `registry.example.com/storefront/web-frontend@sha256:${hex(i + 3, 32)}${hex(i + 5, 32)}`,
          containerID: `containerd://${hex(i + 11, 32)}${hex(i + 13, 32)}`,
          started: true,
        },
      ],
      qosClass: "Burstable",
    },
  };
}

/** What a client sends to create a pod: spec and identifying metadata, no status or server fields. */
export function podToCreate(i: number): Record<string, unknown> {
  const pod = makePod(i);
  const meta = pod.metadata as Record<string, unknown>;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      labels: meta.labels,
      annotations: meta.annotations,
    },
    spec: pod.spec,
  };
}
