// Derived from the pinned Kubernetes release's Go sources by test/tools/release-data.ts.
// DO NOT EDIT.
export const RELEASE_ENUMS_DATA: unknown = {
  kubernetesVersion: "v1.36.3",
  enums: {
    "io.k8s.api.admissionregistration.v1.MatchResources": {
      matchPolicy: {
        values: ["Equivalent", "Exact"],
      },
    },
    "io.k8s.api.admissionregistration.v1.MutatingAdmissionPolicySpec": {
      failurePolicy: {
        values: ["Fail", "Ignore"],
      },
      reinvocationPolicy: {
        values: ["IfNeeded", "Never"],
      },
    },
    "io.k8s.api.admissionregistration.v1.MutatingWebhook": {
      failurePolicy: {
        values: ["Fail", "Ignore"],
      },
      matchPolicy: {
        values: ["Equivalent", "Exact"],
      },
      reinvocationPolicy: {
        values: ["IfNeeded", "Never"],
      },
      sideEffects: {
        values: ["None", "NoneOnDryRun", "Some", "Unknown"],
      },
    },
    "io.k8s.api.admissionregistration.v1.Mutation": {
      patchType: {
        values: ["ApplyConfiguration", "JSONPatch"],
      },
    },
    "io.k8s.api.admissionregistration.v1.NamedRuleWithOperations": {
      operations: {
        items: ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"],
      },
      scope: {
        values: ["*", "Cluster", "Namespaced"],
      },
    },
    "io.k8s.api.admissionregistration.v1.RuleWithOperations": {
      operations: {
        items: ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"],
      },
      scope: {
        values: ["*", "Cluster", "Namespaced"],
      },
    },
    "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec": {
      validationActions: {
        items: ["Audit", "Deny", "Warn"],
      },
    },
    "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec": {
      failurePolicy: {
        values: ["Fail", "Ignore"],
      },
    },
    "io.k8s.api.admissionregistration.v1.ValidatingWebhook": {
      failurePolicy: {
        values: ["Fail", "Ignore"],
      },
      matchPolicy: {
        values: ["Equivalent", "Exact"],
      },
      sideEffects: {
        values: ["None", "NoneOnDryRun", "Some", "Unknown"],
      },
    },
    "io.k8s.api.admissionregistration.v1alpha1.MatchResources": {
      matchPolicy: {
        values: ["Equivalent", "Exact"],
      },
    },
    "io.k8s.api.admissionregistration.v1alpha1.MutatingAdmissionPolicySpec": {
      failurePolicy: {
        values: ["Fail", "Ignore"],
      },
      reinvocationPolicy: {
        values: ["IfNeeded", "Never"],
      },
    },
    "io.k8s.api.admissionregistration.v1alpha1.Mutation": {
      patchType: {
        values: ["ApplyConfiguration", "JSONPatch"],
      },
    },
    "io.k8s.api.admissionregistration.v1alpha1.NamedRuleWithOperations": {
      operations: {
        items: ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"],
      },
      scope: {
        values: ["*", "Cluster", "Namespaced"],
      },
    },
    "io.k8s.api.admissionregistration.v1alpha1.ParamRef": {
      parameterNotFoundAction: {
        values: ["Allow", "Deny"],
      },
    },
    "io.k8s.api.admissionregistration.v1beta1.MutatingAdmissionPolicySpec": {
      reinvocationPolicy: {
        values: ["IfNeeded", "Never"],
      },
    },
    "io.k8s.api.admissionregistration.v1beta1.Mutation": {
      patchType: {
        values: ["ApplyConfiguration", "JSONPatch"],
      },
    },
    "io.k8s.api.admissionregistration.v1beta1.NamedRuleWithOperations": {
      operations: {
        items: ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"],
      },
      scope: {
        values: ["*", "Cluster", "Namespaced"],
      },
    },
    "io.k8s.api.apps.v1.DaemonSetUpdateStrategy": {
      type: {
        values: ["OnDelete", "RollingUpdate"],
      },
    },
    "io.k8s.api.apps.v1.DeploymentStrategy": {
      type: {
        values: ["Recreate", "RollingUpdate"],
      },
    },
    "io.k8s.api.apps.v1.StatefulSetSpec": {
      podManagementPolicy: {
        values: ["OrderedReady", "Parallel"],
      },
    },
    "io.k8s.api.apps.v1.StatefulSetUpdateStrategy": {
      type: {
        values: ["OnDelete", "RollingUpdate"],
      },
    },
    "io.k8s.api.batch.v1.CronJobSpec": {
      concurrencyPolicy: {
        values: ["Allow", "Forbid", "Replace"],
      },
    },
    "io.k8s.api.batch.v1.JobSpec": {
      completionMode: {
        values: ["Indexed", "NonIndexed"],
      },
      podReplacementPolicy: {
        values: ["Failed", "TerminatingOrFailed"],
      },
    },
    "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement": {
      operator: {
        values: ["In", "NotIn"],
      },
    },
    "io.k8s.api.batch.v1.PodFailurePolicyRule": {
      action: {
        values: ["Count", "FailIndex", "FailJob", "Ignore"],
      },
    },
    "io.k8s.api.certificates.v1.CertificateSigningRequestSpec": {
      usages: {
        items: [
          "any",
          "cert sign",
          "client auth",
          "code signing",
          "content commitment",
          "crl sign",
          "data encipherment",
          "decipher only",
          "digital signature",
          "email protection",
          "encipher only",
          "ipsec end system",
          "ipsec tunnel",
          "ipsec user",
          "key agreement",
          "key encipherment",
          "microsoft sgc",
          "netscape sgc",
          "ocsp signing",
          "s/mime",
          "server auth",
          "signing",
          "timestamping",
        ],
      },
    },
    "io.k8s.api.core.v1.AppArmorProfile": {
      type: {
        values: ["Localhost", "RuntimeDefault", "Unconfined"],
      },
    },
    "io.k8s.api.core.v1.AzureDiskVolumeSource": {
      cachingMode: {
        values: ["None", "ReadOnly", "ReadWrite"],
      },
      kind: {
        values: ["Dedicated", "Managed", "Shared"],
      },
    },
    "io.k8s.api.core.v1.Container": {
      imagePullPolicy: {
        values: ["Always", "IfNotPresent", "Never"],
      },
      terminationMessagePolicy: {
        values: ["FallbackToLogsOnError", "File"],
      },
    },
    "io.k8s.api.core.v1.ContainerPort": {
      protocol: {
        values: ["SCTP", "TCP", "UDP"],
      },
    },
    "io.k8s.api.core.v1.ContainerStatus": {
      stopSignal: {
        values: [
          "SIGABRT",
          "SIGALRM",
          "SIGBUS",
          "SIGCHLD",
          "SIGCLD",
          "SIGCONT",
          "SIGFPE",
          "SIGHUP",
          "SIGILL",
          "SIGINT",
          "SIGIO",
          "SIGIOT",
          "SIGKILL",
          "SIGPIPE",
          "SIGPOLL",
          "SIGPROF",
          "SIGPWR",
          "SIGQUIT",
          "SIGRTMAX",
          "SIGRTMAX-1",
          "SIGRTMAX-10",
          "SIGRTMAX-11",
          "SIGRTMAX-12",
          "SIGRTMAX-13",
          "SIGRTMAX-14",
          "SIGRTMAX-2",
          "SIGRTMAX-3",
          "SIGRTMAX-4",
          "SIGRTMAX-5",
          "SIGRTMAX-6",
          "SIGRTMAX-7",
          "SIGRTMAX-8",
          "SIGRTMAX-9",
          "SIGRTMIN",
          "SIGRTMIN+1",
          "SIGRTMIN+10",
          "SIGRTMIN+11",
          "SIGRTMIN+12",
          "SIGRTMIN+13",
          "SIGRTMIN+14",
          "SIGRTMIN+15",
          "SIGRTMIN+2",
          "SIGRTMIN+3",
          "SIGRTMIN+4",
          "SIGRTMIN+5",
          "SIGRTMIN+6",
          "SIGRTMIN+7",
          "SIGRTMIN+8",
          "SIGRTMIN+9",
          "SIGSEGV",
          "SIGSTKFLT",
          "SIGSTOP",
          "SIGSYS",
          "SIGTERM",
          "SIGTRAP",
          "SIGTSTP",
          "SIGTTIN",
          "SIGTTOU",
          "SIGURG",
          "SIGUSR1",
          "SIGUSR2",
          "SIGVTALRM",
          "SIGWINCH",
          "SIGXCPU",
          "SIGXFSZ",
        ],
      },
    },
    "io.k8s.api.core.v1.EndpointPort": {
      protocol: {
        values: ["SCTP", "TCP", "UDP"],
      },
    },
    "io.k8s.api.core.v1.EphemeralContainer": {
      imagePullPolicy: {
        values: ["Always", "IfNotPresent", "Never"],
      },
      terminationMessagePolicy: {
        values: ["FallbackToLogsOnError", "File"],
      },
    },
    "io.k8s.api.core.v1.HTTPGetAction": {
      scheme: {
        values: ["HTTP", "HTTPS"],
      },
    },
    "io.k8s.api.core.v1.HostPathVolumeSource": {
      type: {
        values: [
          "",
          "BlockDevice",
          "CharDevice",
          "Directory",
          "DirectoryOrCreate",
          "File",
          "FileOrCreate",
          "Socket",
        ],
      },
    },
    "io.k8s.api.core.v1.ImageVolumeSource": {
      pullPolicy: {
        values: ["Always", "IfNotPresent", "Never"],
      },
    },
    "io.k8s.api.core.v1.Lifecycle": {
      stopSignal: {
        values: [
          "SIGABRT",
          "SIGALRM",
          "SIGBUS",
          "SIGCHLD",
          "SIGCLD",
          "SIGCONT",
          "SIGFPE",
          "SIGHUP",
          "SIGILL",
          "SIGINT",
          "SIGIO",
          "SIGIOT",
          "SIGKILL",
          "SIGPIPE",
          "SIGPOLL",
          "SIGPROF",
          "SIGPWR",
          "SIGQUIT",
          "SIGRTMAX",
          "SIGRTMAX-1",
          "SIGRTMAX-10",
          "SIGRTMAX-11",
          "SIGRTMAX-12",
          "SIGRTMAX-13",
          "SIGRTMAX-14",
          "SIGRTMAX-2",
          "SIGRTMAX-3",
          "SIGRTMAX-4",
          "SIGRTMAX-5",
          "SIGRTMAX-6",
          "SIGRTMAX-7",
          "SIGRTMAX-8",
          "SIGRTMAX-9",
          "SIGRTMIN",
          "SIGRTMIN+1",
          "SIGRTMIN+10",
          "SIGRTMIN+11",
          "SIGRTMIN+12",
          "SIGRTMIN+13",
          "SIGRTMIN+14",
          "SIGRTMIN+15",
          "SIGRTMIN+2",
          "SIGRTMIN+3",
          "SIGRTMIN+4",
          "SIGRTMIN+5",
          "SIGRTMIN+6",
          "SIGRTMIN+7",
          "SIGRTMIN+8",
          "SIGRTMIN+9",
          "SIGSEGV",
          "SIGSTKFLT",
          "SIGSTOP",
          "SIGSYS",
          "SIGTERM",
          "SIGTRAP",
          "SIGTSTP",
          "SIGTTIN",
          "SIGTTOU",
          "SIGURG",
          "SIGUSR1",
          "SIGUSR2",
          "SIGVTALRM",
          "SIGWINCH",
          "SIGXCPU",
          "SIGXFSZ",
        ],
      },
    },
    "io.k8s.api.core.v1.ModifyVolumeStatus": {
      status: {
        values: ["InProgress", "Infeasible", "Pending"],
      },
    },
    "io.k8s.api.core.v1.NamespaceStatus": {
      phase: {
        values: ["Active", "Terminating"],
      },
    },
    "io.k8s.api.core.v1.NodeSelectorRequirement": {
      operator: {
        values: ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"],
      },
    },
    "io.k8s.api.core.v1.NodeStatus": {
      phase: {
        values: ["Pending", "Running", "Terminated"],
      },
    },
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec": {
      accessModes: {
        items: ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"],
      },
      volumeMode: {
        values: ["Block", "Filesystem"],
      },
    },
    "io.k8s.api.core.v1.PersistentVolumeClaimStatus": {
      accessModes: {
        items: ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"],
      },
      phase: {
        values: ["Bound", "Lost", "Pending"],
      },
    },
    "io.k8s.api.core.v1.PersistentVolumeSpec": {
      accessModes: {
        items: ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"],
      },
      persistentVolumeReclaimPolicy: {
        values: ["Delete", "Recycle", "Retain"],
      },
      volumeMode: {
        values: ["Block", "Filesystem"],
      },
    },
    "io.k8s.api.core.v1.PersistentVolumeStatus": {
      phase: {
        values: ["Available", "Bound", "Failed", "Pending", "Released"],
      },
    },
    "io.k8s.api.core.v1.PodSecurityContext": {
      fsGroupChangePolicy: {
        values: ["Always", "OnRootMismatch"],
      },
      supplementalGroupsPolicy: {
        values: ["Merge", "Strict"],
      },
    },
    "io.k8s.api.core.v1.PodSpec": {
      dnsPolicy: {
        values: ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
      },
      preemptionPolicy: {
        values: ["Never", "PreemptLowerPriority"],
      },
      restartPolicy: {
        values: ["Always", "Never", "OnFailure"],
      },
    },
    "io.k8s.api.core.v1.PodStatus": {
      phase: {
        values: ["Failed", "Pending", "Running", "Succeeded", "Unknown"],
      },
      qosClass: {
        values: ["BestEffort", "Burstable", "Guaranteed"],
      },
    },
    "io.k8s.api.core.v1.PortStatus": {
      protocol: {
        values: ["SCTP", "TCP", "UDP"],
      },
    },
    "io.k8s.api.core.v1.ResourceQuotaSpec": {
      scopes: {
        items: [
          "BestEffort",
          "CrossNamespacePodAffinity",
          "NotBestEffort",
          "NotTerminating",
          "PriorityClass",
          "Terminating",
          "VolumeAttributesClass",
        ],
      },
    },
    "io.k8s.api.core.v1.ScopedResourceSelectorRequirement": {
      operator: {
        values: ["DoesNotExist", "Exists", "In", "NotIn"],
      },
      scopeName: {
        values: [
          "BestEffort",
          "CrossNamespacePodAffinity",
          "NotBestEffort",
          "NotTerminating",
          "PriorityClass",
          "Terminating",
          "VolumeAttributesClass",
        ],
      },
    },
    "io.k8s.api.core.v1.SeccompProfile": {
      type: {
        values: ["Localhost", "RuntimeDefault", "Unconfined"],
      },
    },
    "io.k8s.api.core.v1.SecurityContext": {
      procMount: {
        values: ["Default", "Unmasked"],
      },
    },
    "io.k8s.api.core.v1.ServicePort": {
      protocol: {
        values: ["SCTP", "TCP", "UDP"],
      },
    },
    "io.k8s.api.core.v1.ServiceSpec": {
      externalTrafficPolicy: {
        values: ["Cluster", "Local"],
      },
      internalTrafficPolicy: {
        values: ["Cluster", "Local"],
      },
      ipFamilies: {
        items: ["", "IPv4", "IPv6"],
      },
      ipFamilyPolicy: {
        values: ["PreferDualStack", "RequireDualStack", "SingleStack"],
      },
      sessionAffinity: {
        values: ["ClientIP", "None"],
      },
      type: {
        values: ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
      },
    },
    "io.k8s.api.core.v1.Taint": {
      effect: {
        values: ["NoExecute", "NoSchedule", "PreferNoSchedule"],
      },
    },
    "io.k8s.api.core.v1.Toleration": {
      effect: {
        values: ["NoExecute", "NoSchedule", "PreferNoSchedule"],
      },
      operator: {
        values: ["Equal", "Exists", "Gt", "Lt"],
      },
    },
    "io.k8s.api.core.v1.TopologySpreadConstraint": {
      nodeAffinityPolicy: {
        values: ["Honor", "Ignore"],
      },
      nodeTaintsPolicy: {
        values: ["Honor", "Ignore"],
      },
      whenUnsatisfiable: {
        values: ["DoNotSchedule", "ScheduleAnyway"],
      },
    },
    "io.k8s.api.core.v1.VolumeMount": {
      mountPropagation: {
        values: ["Bidirectional", "HostToContainer", "None"],
      },
    },
    "io.k8s.api.discovery.v1.EndpointPort": {
      protocol: {
        values: ["SCTP", "TCP", "UDP"],
      },
    },
    "io.k8s.api.discovery.v1.EndpointSlice": {
      addressType: {
        values: ["FQDN", "IPv4", "IPv6"],
      },
    },
    "io.k8s.api.networking.v1.HTTPIngressPath": {
      pathType: {
        values: ["Exact", "ImplementationSpecific", "Prefix"],
      },
    },
    "io.k8s.api.networking.v1.IngressPortStatus": {
      protocol: {
        values: ["SCTP", "TCP", "UDP"],
      },
    },
    "io.k8s.api.networking.v1.NetworkPolicyPort": {
      protocol: {
        values: ["SCTP", "TCP", "UDP"],
      },
    },
    "io.k8s.api.networking.v1.NetworkPolicySpec": {
      policyTypes: {
        items: ["Egress", "Ingress"],
      },
    },
    "io.k8s.api.policy.v1.PodDisruptionBudgetSpec": {
      unhealthyPodEvictionPolicy: {
        values: ["AlwaysAllow", "IfHealthyBudget"],
      },
    },
    "io.k8s.api.resource.v1.DeviceAllocationConfiguration": {
      source: {
        values: ["FromClaim", "FromClass"],
      },
    },
    "io.k8s.api.resource.v1.DeviceSubRequest": {
      allocationMode: {
        values: ["All", "ExactCount"],
      },
    },
    "io.k8s.api.resource.v1.DeviceTaint": {
      effect: {
        values: ["NoExecute", "NoSchedule", "None"],
      },
    },
    "io.k8s.api.resource.v1.DeviceToleration": {
      effect: {
        values: ["NoExecute", "NoSchedule", "None"],
      },
      operator: {
        values: ["Equal", "Exists"],
      },
    },
    "io.k8s.api.resource.v1.ExactDeviceRequest": {
      allocationMode: {
        values: ["All", "ExactCount"],
      },
    },
    "io.k8s.api.resource.v1alpha3.DeviceTaint": {
      effect: {
        values: ["NoExecute", "NoSchedule", "None"],
      },
    },
    "io.k8s.api.resource.v1beta1.DeviceAllocationConfiguration": {
      source: {
        values: ["FromClaim", "FromClass"],
      },
    },
    "io.k8s.api.resource.v1beta1.DeviceRequest": {
      allocationMode: {
        values: ["All", "ExactCount"],
      },
    },
    "io.k8s.api.resource.v1beta1.DeviceSubRequest": {
      allocationMode: {
        values: ["All", "ExactCount"],
      },
    },
    "io.k8s.api.resource.v1beta1.DeviceTaint": {
      effect: {
        values: ["NoExecute", "NoSchedule", "None"],
      },
    },
    "io.k8s.api.resource.v1beta1.DeviceToleration": {
      effect: {
        values: ["NoExecute", "NoSchedule", "None"],
      },
      operator: {
        values: ["Equal", "Exists"],
      },
    },
    "io.k8s.api.resource.v1beta2.DeviceAllocationConfiguration": {
      source: {
        values: ["FromClaim", "FromClass"],
      },
    },
    "io.k8s.api.resource.v1beta2.DeviceSubRequest": {
      allocationMode: {
        values: ["All", "ExactCount"],
      },
    },
    "io.k8s.api.resource.v1beta2.DeviceTaint": {
      effect: {
        values: ["NoExecute", "NoSchedule", "None"],
      },
    },
    "io.k8s.api.resource.v1beta2.DeviceToleration": {
      effect: {
        values: ["NoExecute", "NoSchedule", "None"],
      },
      operator: {
        values: ["Equal", "Exists"],
      },
    },
    "io.k8s.api.resource.v1beta2.ExactDeviceRequest": {
      allocationMode: {
        values: ["All", "ExactCount"],
      },
    },
    "io.k8s.api.scheduling.v1.PriorityClass": {
      preemptionPolicy: {
        values: ["Never", "PreemptLowerPriority"],
      },
    },
    "io.k8s.api.scheduling.v1alpha2.PodGroupSpec": {
      disruptionMode: {
        values: ["Pod", "PodGroup"],
      },
    },
    "io.k8s.api.scheduling.v1alpha2.PodGroupTemplate": {
      disruptionMode: {
        values: ["Pod", "PodGroup"],
      },
    },
    "io.k8s.api.storage.v1.StorageClass": {
      reclaimPolicy: {
        values: ["Delete", "Recycle", "Retain"],
      },
      volumeBindingMode: {
        values: ["Immediate", "WaitForFirstConsumer"],
      },
    },
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule": {
      reason: {
        values: [
          "FieldValueDuplicate",
          "FieldValueForbidden",
          "FieldValueInvalid",
          "FieldValueRequired",
        ],
      },
    },
  },
};

export const RELEASE_NULL_FIELDS_DATA: unknown = {
  kubernetesVersion: "v1.36.3",
  fields: {
    "io.k8s.api.apiserverinternal.v1alpha1.StorageVersionCondition": ["lastTransitionTime"],
    "io.k8s.api.apps.v1.DaemonSetCondition": ["lastTransitionTime"],
    "io.k8s.api.apps.v1.DeploymentCondition": ["lastTransitionTime", "lastUpdateTime"],
    "io.k8s.api.apps.v1.ReplicaSetCondition": ["lastTransitionTime"],
    "io.k8s.api.apps.v1.StatefulSetCondition": ["lastTransitionTime"],
    "io.k8s.api.authentication.v1.TokenRequestSpec": [
      "audiences",
      "boundObjectRef",
      "expirationSeconds",
    ],
    "io.k8s.api.authentication.v1.TokenRequestStatus": ["expirationTimestamp"],
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition": ["lastTransitionTime"],
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus": ["currentMetrics"],
    "io.k8s.api.batch.v1.JobCondition": ["lastProbeTime", "lastTransitionTime"],
    "io.k8s.api.certificates.v1.CertificateSigningRequestCondition": [
      "lastTransitionTime",
      "lastUpdateTime",
    ],
    "io.k8s.api.certificates.v1beta1.PodCertificateRequestSpec": [
      "pkixPublicKey",
      "proofOfPossession",
    ],
    "io.k8s.api.core.v1.AzureFilePersistentVolumeSource": ["secretNamespace"],
    "io.k8s.api.core.v1.ContainerImage": ["names"],
    "io.k8s.api.core.v1.ContainerStateRunning": ["startedAt"],
    "io.k8s.api.core.v1.ContainerStateTerminated": ["finishedAt", "startedAt"],
    "io.k8s.api.core.v1.Event": ["eventTime", "firstTimestamp", "lastTimestamp"],
    "io.k8s.api.core.v1.EventSeries": ["lastObservedTime"],
    "io.k8s.api.core.v1.GRPCAction": ["service"],
    "io.k8s.api.core.v1.NamespaceCondition": ["lastTransitionTime"],
    "io.k8s.api.core.v1.NodeCondition": ["lastHeartbeatTime", "lastTransitionTime"],
    "io.k8s.api.core.v1.PersistentVolumeClaimCondition": ["lastProbeTime", "lastTransitionTime"],
    "io.k8s.api.core.v1.PodCondition": ["lastProbeTime", "lastTransitionTime"],
    "io.k8s.api.core.v1.ProjectedVolumeSource": ["sources"],
    "io.k8s.api.core.v1.ReplicationControllerCondition": ["lastTransitionTime"],
    "io.k8s.api.core.v1.TypedLocalObjectReference": ["apiGroup"],
    "io.k8s.api.core.v1.TypedObjectReference": ["apiGroup"],
    "io.k8s.api.discovery.v1.EndpointSlice": ["endpoints", "ports"],
    "io.k8s.api.events.v1.Event": ["deprecatedFirstTimestamp", "deprecatedLastTimestamp"],
    "io.k8s.api.flowcontrol.v1.FlowSchemaCondition": ["lastTransitionTime"],
    "io.k8s.api.flowcontrol.v1.LimitedPriorityLevelConfiguration": ["nominalConcurrencyShares"],
    "io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationCondition": ["lastTransitionTime"],
    "io.k8s.api.flowcontrol.v1.ResourcePolicyRule": ["namespaces"],
    "io.k8s.api.networking.v1.IngressClassParametersReference": ["scope"],
    "io.k8s.api.rbac.v1.ClusterRole": ["rules"],
    "io.k8s.api.rbac.v1.Role": ["rules"],
    "io.k8s.api.resource.v1.AllocatedDeviceStatus": ["conditions"],
    "io.k8s.api.resource.v1.CapacityRequestPolicy": ["default"],
    "io.k8s.api.resource.v1.DeviceClaim": ["requests"],
    "io.k8s.api.resource.v1beta1.AllocatedDeviceStatus": ["conditions"],
    "io.k8s.api.resource.v1beta1.CapacityRequestPolicy": ["default"],
    "io.k8s.api.resource.v1beta1.DeviceClaim": ["requests"],
    "io.k8s.api.resource.v1beta2.AllocatedDeviceStatus": ["conditions"],
    "io.k8s.api.resource.v1beta2.CapacityRequestPolicy": ["default"],
    "io.k8s.api.resource.v1beta2.DeviceClaim": ["requests"],
    "io.k8s.api.scheduling.v1alpha2.PodGroupSpec": ["podGroupTemplateRef"],
    "io.k8s.api.scheduling.v1alpha2.PodGroupTemplate": ["schedulingConstraints"],
    "io.k8s.api.scheduling.v1alpha2.PodGroupTemplateReference": ["workload"],
    "io.k8s.api.storage.v1.CSINodeDriver": ["topologyKeys"],
    "io.k8s.api.storage.v1.VolumeError": ["time"],
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionCondition": [
      "lastTransitionTime",
    ],
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus": [
      "conditions",
      "storedVersions",
    ],
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceCondition": [
      "lastTransitionTime",
    ],
  },
};
