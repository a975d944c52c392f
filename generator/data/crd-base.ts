// Extracted from the pinned Kubernetes release by test/tools/release-data.ts. DO NOT EDIT.
export const CRD_BASE_DATA: unknown = {
  kubernetesVersion: "v1.36.3",
  paths: {
    "/apis/apps/v1/deployments": {
      get: {
        consumes: ["*/*"],
        description: "list or watch objects of kind Deployment",
        operationId: "listAppsV1DeploymentForAllNamespaces",
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
          "application/json;stream=watch",
          "application/vnd.kubernetes.protobuf;stream=watch",
          "application/cbor-seq",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.DeploymentList",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "list",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
      parameters: [
        {
          $ref: "#/parameters/allowWatchBookmarks-HC2hJt-J",
        },
        {
          $ref: "#/parameters/continue-QfD61s0i",
        },
        {
          $ref: "#/parameters/fieldSelector-xIcQKXFG",
        },
        {
          $ref: "#/parameters/labelSelector-5Zw57w4C",
        },
        {
          $ref: "#/parameters/limit-1NfNmdNH",
        },
        {
          $ref: "#/parameters/pretty-tJGM1-ng",
        },
        {
          $ref: "#/parameters/resourceVersion-5WAnf1kx",
        },
        {
          $ref: "#/parameters/resourceVersionMatch-t8XhRHeC",
        },
        {
          $ref: "#/parameters/sendInitialEvents-rLXlEK_k",
        },
        {
          $ref: "#/parameters/shardSelector-Kgyki_3_",
        },
        {
          $ref: "#/parameters/timeoutSeconds-yvYezaOC",
        },
        {
          $ref: "#/parameters/watch-XNNPZGbK",
        },
      ],
    },
    "/apis/apps/v1/namespaces/{namespace}/deployments": {
      delete: {
        consumes: ["*/*"],
        description: "delete collection of Deployment",
        operationId: "deleteAppsV1CollectionNamespacedDeployment",
        parameters: [
          {
            $ref: "#/parameters/body-2Y1dVQaQ",
          },
          {
            $ref: "#/parameters/continue-QfD61s0i",
          },
          {
            description:
              "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
            in: "query",
            name: "dryRun",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/fieldSelector-xIcQKXFG",
          },
          {
            $ref: "#/parameters/gracePeriodSeconds--K5HaBOS",
          },
          {
            $ref: "#/parameters/ignoreStoreReadErrorWithClusterBreakingPotential-QbNkfIqj",
          },
          {
            $ref: "#/parameters/labelSelector-5Zw57w4C",
          },
          {
            $ref: "#/parameters/limit-1NfNmdNH",
          },
          {
            $ref: "#/parameters/orphanDependents-uRB25kX5",
          },
          {
            $ref: "#/parameters/propagationPolicy-6jk3prlO",
          },
          {
            $ref: "#/parameters/resourceVersion-5WAnf1kx",
          },
          {
            $ref: "#/parameters/resourceVersionMatch-t8XhRHeC",
          },
          {
            $ref: "#/parameters/sendInitialEvents-rLXlEK_k",
          },
          {
            $ref: "#/parameters/shardSelector-Kgyki_3_",
          },
          {
            $ref: "#/parameters/timeoutSeconds-yvYezaOC",
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "deletecollection",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
      get: {
        consumes: ["*/*"],
        description: "list or watch objects of kind Deployment",
        operationId: "listAppsV1NamespacedDeployment",
        parameters: [
          {
            $ref: "#/parameters/allowWatchBookmarks-HC2hJt-J",
          },
          {
            $ref: "#/parameters/continue-QfD61s0i",
          },
          {
            $ref: "#/parameters/fieldSelector-xIcQKXFG",
          },
          {
            $ref: "#/parameters/labelSelector-5Zw57w4C",
          },
          {
            $ref: "#/parameters/limit-1NfNmdNH",
          },
          {
            $ref: "#/parameters/resourceVersion-5WAnf1kx",
          },
          {
            $ref: "#/parameters/resourceVersionMatch-t8XhRHeC",
          },
          {
            $ref: "#/parameters/sendInitialEvents-rLXlEK_k",
          },
          {
            $ref: "#/parameters/shardSelector-Kgyki_3_",
          },
          {
            $ref: "#/parameters/timeoutSeconds-yvYezaOC",
          },
          {
            $ref: "#/parameters/watch-XNNPZGbK",
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
          "application/json;stream=watch",
          "application/vnd.kubernetes.protobuf;stream=watch",
          "application/cbor-seq",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.DeploymentList",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "list",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
      parameters: [
        {
          $ref: "#/parameters/namespace-vgWSWtn3",
        },
        {
          $ref: "#/parameters/pretty-tJGM1-ng",
        },
      ],
      post: {
        consumes: ["*/*"],
        description: "create a Deployment",
        operationId: "createAppsV1NamespacedDeployment",
        parameters: [
          {
            in: "body",
            name: "body",
            required: true,
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          {
            description:
              "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
            in: "query",
            name: "dryRun",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/fieldManager-Qy4HdaTW",
          },
          {
            description:
              "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
            in: "query",
            name: "fieldValidation",
            type: "string",
            uniqueItems: true,
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "201": {
            description: "Created",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "202": {
            description: "Accepted",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "post",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
    },
    "/apis/apps/v1/namespaces/{namespace}/deployments/{name}": {
      delete: {
        consumes: ["*/*"],
        description: "delete a Deployment",
        operationId: "deleteAppsV1NamespacedDeployment",
        parameters: [
          {
            $ref: "#/parameters/body-2Y1dVQaQ",
          },
          {
            description:
              "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
            in: "query",
            name: "dryRun",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/gracePeriodSeconds--K5HaBOS",
          },
          {
            $ref: "#/parameters/ignoreStoreReadErrorWithClusterBreakingPotential-QbNkfIqj",
          },
          {
            $ref: "#/parameters/orphanDependents-uRB25kX5",
          },
          {
            $ref: "#/parameters/propagationPolicy-6jk3prlO",
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            },
          },
          "202": {
            description: "Accepted",
            schema: {
              $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "delete",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
      get: {
        consumes: ["*/*"],
        description: "read the specified Deployment",
        operationId: "readAppsV1NamespacedDeployment",
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "get",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
      parameters: [
        {
          description: "name of the Deployment",
          in: "path",
          name: "name",
          required: true,
          type: "string",
          uniqueItems: true,
        },
        {
          $ref: "#/parameters/namespace-vgWSWtn3",
        },
        {
          $ref: "#/parameters/pretty-tJGM1-ng",
        },
      ],
      patch: {
        consumes: [
          "application/json-patch+json",
          "application/merge-patch+json",
          "application/strategic-merge-patch+json",
          "application/apply-patch+yaml",
          "application/apply-patch+cbor",
        ],
        description: "partially update the specified Deployment",
        operationId: "patchAppsV1NamespacedDeployment",
        parameters: [
          {
            $ref: "#/parameters/body-78PwaGsr",
          },
          {
            description:
              "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
            in: "query",
            name: "dryRun",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/fieldManager-7c6nTn1T",
          },
          {
            description:
              "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
            in: "query",
            name: "fieldValidation",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/force-tOGGb0Yi",
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "201": {
            description: "Created",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
      put: {
        consumes: ["*/*"],
        description: "replace the specified Deployment",
        operationId: "replaceAppsV1NamespacedDeployment",
        parameters: [
          {
            in: "body",
            name: "body",
            required: true,
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          {
            description:
              "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
            in: "query",
            name: "dryRun",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/fieldManager-Qy4HdaTW",
          },
          {
            description:
              "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
            in: "query",
            name: "fieldValidation",
            type: "string",
            uniqueItems: true,
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "201": {
            description: "Created",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "put",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
    },
    "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale": {
      get: {
        consumes: ["*/*"],
        description: "read scale of the specified Deployment",
        operationId: "readAppsV1NamespacedDeploymentScale",
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.autoscaling.v1.Scale",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "get",
        "x-kubernetes-group-version-kind": {
          group: "autoscaling",
          kind: "Scale",
          version: "v1",
        },
      },
      parameters: [
        {
          description: "name of the Scale",
          in: "path",
          name: "name",
          required: true,
          type: "string",
          uniqueItems: true,
        },
        {
          $ref: "#/parameters/namespace-vgWSWtn3",
        },
        {
          $ref: "#/parameters/pretty-tJGM1-ng",
        },
      ],
      patch: {
        consumes: [
          "application/json-patch+json",
          "application/merge-patch+json",
          "application/strategic-merge-patch+json",
          "application/apply-patch+yaml",
          "application/apply-patch+cbor",
        ],
        description: "partially update scale of the specified Deployment",
        operationId: "patchAppsV1NamespacedDeploymentScale",
        parameters: [
          {
            $ref: "#/parameters/body-78PwaGsr",
          },
          {
            description:
              "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
            in: "query",
            name: "dryRun",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/fieldManager-7c6nTn1T",
          },
          {
            description:
              "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
            in: "query",
            name: "fieldValidation",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/force-tOGGb0Yi",
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.autoscaling.v1.Scale",
            },
          },
          "201": {
            description: "Created",
            schema: {
              $ref: "#/definitions/io.k8s.api.autoscaling.v1.Scale",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {
          group: "autoscaling",
          kind: "Scale",
          version: "v1",
        },
      },
      put: {
        consumes: ["*/*"],
        description: "replace scale of the specified Deployment",
        operationId: "replaceAppsV1NamespacedDeploymentScale",
        parameters: [
          {
            in: "body",
            name: "body",
            required: true,
            schema: {
              $ref: "#/definitions/io.k8s.api.autoscaling.v1.Scale",
            },
          },
          {
            description:
              "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
            in: "query",
            name: "dryRun",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/fieldManager-Qy4HdaTW",
          },
          {
            description:
              "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
            in: "query",
            name: "fieldValidation",
            type: "string",
            uniqueItems: true,
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.autoscaling.v1.Scale",
            },
          },
          "201": {
            description: "Created",
            schema: {
              $ref: "#/definitions/io.k8s.api.autoscaling.v1.Scale",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "put",
        "x-kubernetes-group-version-kind": {
          group: "autoscaling",
          kind: "Scale",
          version: "v1",
        },
      },
    },
    "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status": {
      get: {
        consumes: ["*/*"],
        description: "read status of the specified Deployment",
        operationId: "readAppsV1NamespacedDeploymentStatus",
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "get",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
      parameters: [
        {
          description: "name of the Deployment",
          in: "path",
          name: "name",
          required: true,
          type: "string",
          uniqueItems: true,
        },
        {
          $ref: "#/parameters/namespace-vgWSWtn3",
        },
        {
          $ref: "#/parameters/pretty-tJGM1-ng",
        },
      ],
      patch: {
        consumes: [
          "application/json-patch+json",
          "application/merge-patch+json",
          "application/strategic-merge-patch+json",
          "application/apply-patch+yaml",
          "application/apply-patch+cbor",
        ],
        description: "partially update status of the specified Deployment",
        operationId: "patchAppsV1NamespacedDeploymentStatus",
        parameters: [
          {
            $ref: "#/parameters/body-78PwaGsr",
          },
          {
            description:
              "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
            in: "query",
            name: "dryRun",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/fieldManager-7c6nTn1T",
          },
          {
            description:
              "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
            in: "query",
            name: "fieldValidation",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/force-tOGGb0Yi",
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "201": {
            description: "Created",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
      put: {
        consumes: ["*/*"],
        description: "replace status of the specified Deployment",
        operationId: "replaceAppsV1NamespacedDeploymentStatus",
        parameters: [
          {
            in: "body",
            name: "body",
            required: true,
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          {
            description:
              "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
            in: "query",
            name: "dryRun",
            type: "string",
            uniqueItems: true,
          },
          {
            $ref: "#/parameters/fieldManager-Qy4HdaTW",
          },
          {
            description:
              "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
            in: "query",
            name: "fieldValidation",
            type: "string",
            uniqueItems: true,
          },
        ],
        produces: [
          "application/json",
          "application/yaml",
          "application/vnd.kubernetes.protobuf",
          "application/cbor",
        ],
        responses: {
          "200": {
            description: "OK",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "201": {
            description: "Created",
            schema: {
              $ref: "#/definitions/io.k8s.api.apps.v1.Deployment",
            },
          },
          "401": {
            description: "Unauthorized",
          },
        },
        schemes: ["https"],
        tags: ["apps_v1"],
        "x-kubernetes-action": "put",
        "x-kubernetes-group-version-kind": {
          group: "apps",
          kind: "Deployment",
          version: "v1",
        },
      },
    },
  },
  parameters: {
    "allowWatchBookmarks-HC2hJt-J": {
      description:
        'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.',
      in: "query",
      name: "allowWatchBookmarks",
      type: "boolean",
      uniqueItems: true,
    },
    "body-2Y1dVQaQ": {
      in: "body",
      name: "body",
      schema: {
        $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
      },
    },
    "body-78PwaGsr": {
      in: "body",
      name: "body",
      required: true,
      schema: {
        $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
      },
    },
    "continue-QfD61s0i": {
      description:
        'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize. If the specified continue value is no longer valid whether due to expiration (generally five to fifteen minutes) or a configuration change on the server, the server will respond with a 410 ResourceExpired error together with a continue token. If the client needs a consistent list, it must restart their list without the continue field. Otherwise, the client may send another list request with the token received with the 410 error, the server will respond with a list starting from the next key, but from the latest snapshot, which is inconsistent from the previous list results - objects that are created, modified, or deleted after the first list request will be included in the response, as long as their keys are after the "next key".\n\nThis field is not supported when watch is true. Clients may start a watch from the last resourceVersion value returned by the server and not miss any modifications.',
      in: "query",
      name: "continue",
      type: "string",
      uniqueItems: true,
    },
    "fieldManager-7c6nTn1T": {
      description:
        "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).",
      in: "query",
      name: "fieldManager",
      type: "string",
      uniqueItems: true,
    },
    "fieldManager-Qy4HdaTW": {
      description:
        "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.",
      in: "query",
      name: "fieldManager",
      type: "string",
      uniqueItems: true,
    },
    "fieldSelector-xIcQKXFG": {
      description:
        "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
      in: "query",
      name: "fieldSelector",
      type: "string",
      uniqueItems: true,
    },
    "force-tOGGb0Yi": {
      description:
        'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
      in: "query",
      name: "force",
      type: "boolean",
      uniqueItems: true,
    },
    "gracePeriodSeconds--K5HaBOS": {
      description:
        "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.",
      in: "query",
      name: "gracePeriodSeconds",
      type: "integer",
      uniqueItems: true,
    },
    "ignoreStoreReadErrorWithClusterBreakingPotential-QbNkfIqj": {
      description:
        "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it",
      in: "query",
      name: "ignoreStoreReadErrorWithClusterBreakingPotential",
      type: "boolean",
      uniqueItems: true,
    },
    "labelSelector-5Zw57w4C": {
      description:
        "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
      in: "query",
      name: "labelSelector",
      type: "string",
      uniqueItems: true,
    },
    "limit-1NfNmdNH": {
      description:
        "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results. Setting a limit may return fewer than the requested amount of items (up to zero items) in the event all requested objects are filtered out and clients should only use the presence of the continue field to determine whether more results are available. Servers may choose not to support the limit argument and will return all of the available results. If limit is specified and the continue field is empty, clients may assume that no more results are available. This field is not supported if watch is true.\n\nThe server guarantees that the objects returned when using continue will be identical to issuing a single list call without a limit - that is, no objects created, modified, or deleted after the first request is issued will be included in any subsequent continued requests. This is sometimes referred to as a consistent snapshot, and ensures that a client that is using limit to receive smaller chunks of a very large result can ensure they see all possible objects. If objects are updated during a chunked list the version of the object that was present at the time the first list result was calculated is returned.",
      in: "query",
      name: "limit",
      type: "integer",
      uniqueItems: true,
    },
    "namespace-vgWSWtn3": {
      description: "object name and auth scope, such as for teams and projects",
      in: "path",
      name: "namespace",
      required: true,
      type: "string",
      uniqueItems: true,
    },
    "orphanDependents-uRB25kX5": {
      description:
        'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.',
      in: "query",
      name: "orphanDependents",
      type: "boolean",
      uniqueItems: true,
    },
    "pretty-tJGM1-ng": {
      description:
        "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
      in: "query",
      name: "pretty",
      type: "string",
      uniqueItems: true,
    },
    "propagationPolicy-6jk3prlO": {
      description:
        "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
      in: "query",
      name: "propagationPolicy",
      type: "string",
      uniqueItems: true,
    },
    "resourceVersion-5WAnf1kx": {
      description:
        "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
      in: "query",
      name: "resourceVersion",
      type: "string",
      uniqueItems: true,
    },
    "resourceVersionMatch-t8XhRHeC": {
      description:
        "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
      in: "query",
      name: "resourceVersionMatch",
      type: "string",
      uniqueItems: true,
    },
    "sendInitialEvents-rLXlEK_k": {
      description:
        '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic "Bookmark" event  will be sent. The bookmark will report the ResourceVersion (RV) corresponding to the set of objects, and be marked with `"k8s.io/initial-events-end": "true"` annotation. Afterwards, the watch stream will proceed as usual, sending watch events corresponding to changes (subsequent to the RV) to objects watched.\n\nWhen `sendInitialEvents` option is set, we require `resourceVersionMatch` option to also be set. The semantic of the watch request is as following: - `resourceVersionMatch` = NotOlderThan\n  is interpreted as "data at least as new as the provided `resourceVersion`"\n  and the bookmark event is send when the state is synced\n  to a `resourceVersion` at least as fresh as the one provided by the ListOptions.\n  If `resourceVersion` is unset, this is interpreted as "consistent read" and the\n  bookmark event is send when the state is synced at least to the moment\n  when request started being processed.\n- `resourceVersionMatch` set to any other value or unset\n  Invalid error is returned.\n\nDefaults to true if `resourceVersion=""` or `resourceVersion="0"` (for backward compatibility reasons) and to false otherwise.',
      in: "query",
      name: "sendInitialEvents",
      type: "boolean",
      uniqueItems: true,
    },
    "shardSelector-Kgyki_3_": {
      description:
        "shardSelector restricts the list of returned objects using a CEL-based shard selector expression. The format uses the shardRange() function combined with || (logical OR) to specify one or more hash ranges:\n\n  shardRange(object.metadata.uid, '0x0', '0x8000000000000000')\n  shardRange(object.metadata.uid, '0x0', '0x8000000000000000') || shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')\n\nField paths use CEL-style object-rooted syntax (e.g. \"object.metadata.uid\"), NOT the fieldSelector format (\"metadata.uid\"). Currently supported paths:\n  - object.metadata.uid\n  - object.metadata.namespace\n\nhexStart and hexEnd are single-quoted CEL string literals with a '0x' prefix, defining the inclusive lower and exclusive upper bounds over the 64-bit FNV-1a hash space. The full range is [0x0, 0x10000000000000000), where the exclusive upper bound equals 2^64.\n\nExamples:\n  2-shard split:\n    shard 0: shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')\n    shard 1: shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')\n  4-shard split:\n    shard 0: shardRange(object.metadata.uid, '0x0000000000000000', '0x4000000000000000')\n    shard 1: shardRange(object.metadata.uid, '0x4000000000000000', '0x8000000000000000')\n    shard 2: shardRange(object.metadata.uid, '0x8000000000000000', '0xc000000000000000')\n    shard 3: shardRange(object.metadata.uid, '0xc000000000000000', '0x10000000000000000')\n\nThis is an alpha field and requires enabling the ShardedListAndWatch feature gate.",
      in: "query",
      name: "shardSelector",
      type: "string",
      uniqueItems: true,
    },
    "timeoutSeconds-yvYezaOC": {
      description:
        "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.",
      in: "query",
      name: "timeoutSeconds",
      type: "integer",
      uniqueItems: true,
    },
    "watch-XNNPZGbK": {
      description:
        "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.",
      in: "query",
      name: "watch",
      type: "boolean",
      uniqueItems: true,
    },
  },
  definitions: {
    "io.k8s.api.autoscaling.v1.Scale": {
      description: "Scale represents a scaling request for a resource.",
      properties: {
        apiVersion: {
          description:
            "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
          type: "string",
        },
        kind: {
          description:
            "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
          type: "string",
        },
        metadata: {
          $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
          description:
            "Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata.",
        },
        spec: {
          $ref: "#/definitions/io.k8s.api.autoscaling.v1.ScaleSpec",
          description:
            "spec defines the behavior of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.",
        },
        status: {
          $ref: "#/definitions/io.k8s.api.autoscaling.v1.ScaleStatus",
          description:
            "status is the current status of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status. Read-only.",
        },
      },
      type: "object",
      "x-kubernetes-group-version-kind": [
        {
          group: "autoscaling",
          kind: "Scale",
          version: "v1",
        },
      ],
    },
    "io.k8s.api.autoscaling.v1.ScaleSpec": {
      description: "ScaleSpec describes the attributes of a scale subresource.",
      properties: {
        replicas: {
          description: "replicas is the desired number of instances for the scaled object.",
          format: "int32",
          type: "integer",
        },
      },
      type: "object",
    },
    "io.k8s.api.autoscaling.v1.ScaleStatus": {
      description: "ScaleStatus represents the current status of a scale subresource.",
      properties: {
        replicas: {
          description: "replicas is the actual number of observed instances of the scaled object.",
          format: "int32",
          type: "integer",
        },
        selector: {
          description:
            "selector is the label query over pods that should match the replicas count. This is same as the label selector but in the string format to avoid introspection by clients. The string will be in the same format as the query-param syntax. More info about label selectors: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/",
          type: "string",
        },
      },
      required: ["replicas"],
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": {
      description: "DeleteOptions may be provided when deleting an API object.",
      properties: {
        apiVersion: {
          description:
            "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
          type: "string",
        },
        dryRun: {
          description:
            "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
          items: {
            type: "string",
          },
          type: "array",
          "x-kubernetes-list-type": "atomic",
        },
        gracePeriodSeconds: {
          description:
            "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.",
          format: "int64",
          type: "integer",
        },
        ignoreStoreReadErrorWithClusterBreakingPotential: {
          description:
            "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it",
          type: "boolean",
        },
        kind: {
          description:
            "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
          type: "string",
        },
        orphanDependents: {
          description:
            'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.',
          type: "boolean",
        },
        preconditions: {
          $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions",
          description:
            "Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.",
        },
        propagationPolicy: {
          description:
            "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
          type: "string",
        },
      },
      type: "object",
      "x-kubernetes-group-version-kind": [
        {
          group: "",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "admission.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "admission.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "admissionregistration.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "admissionregistration.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha1",
        },
        {
          group: "admissionregistration.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "apiextensions.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "apiextensions.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "apiregistration.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "apiregistration.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "apps",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "apps",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "apps",
          kind: "DeleteOptions",
          version: "v1beta2",
        },
        {
          group: "authentication.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "authentication.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha1",
        },
        {
          group: "authentication.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "authorization.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "authorization.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "autoscaling",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "autoscaling",
          kind: "DeleteOptions",
          version: "v2",
        },
        {
          group: "batch",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "batch",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "certificates.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "certificates.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha1",
        },
        {
          group: "certificates.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "coordination.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "coordination.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha2",
        },
        {
          group: "coordination.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "discovery.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "discovery.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "events.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "events.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "extensions",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "flowcontrol.apiserver.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "flowcontrol.apiserver.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "flowcontrol.apiserver.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta2",
        },
        {
          group: "flowcontrol.apiserver.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta3",
        },
        {
          group: "imagepolicy.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha1",
        },
        {
          group: "internal.apiserver.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha1",
        },
        {
          group: "networking.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "networking.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "node.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "node.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha1",
        },
        {
          group: "node.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "policy",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "policy",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "rbac.authorization.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "rbac.authorization.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha1",
        },
        {
          group: "rbac.authorization.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "resource.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "resource.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha3",
        },
        {
          group: "resource.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "resource.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta2",
        },
        {
          group: "scheduling.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "scheduling.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha2",
        },
        {
          group: "scheduling.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "storage.k8s.io",
          kind: "DeleteOptions",
          version: "v1",
        },
        {
          group: "storage.k8s.io",
          kind: "DeleteOptions",
          version: "v1alpha1",
        },
        {
          group: "storage.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
        {
          group: "storagemigration.k8s.io",
          kind: "DeleteOptions",
          version: "v1beta1",
        },
      ],
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": {
      description:
        "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta": {
      description:
        "ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.",
      properties: {
        continue: {
          description:
            "continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available. The value is opaque and may be used to issue another request to the endpoint that served this list to retrieve the next set of available objects. Continuing a consistent list may not be possible if the server configuration has changed or more than a few minutes have passed. The resourceVersion field returned when using this continue value will be identical to the value in the first response, unless you have received this token from an error message.",
          type: "string",
        },
        remainingItemCount: {
          description:
            "remainingItemCount is the number of subsequent items in the list which are not included in this list response. If the list request contained label or field selectors, then the number of remaining items is unknown and the field will be left unset and omitted during serialization. If the list is complete (either because it is not chunking or because this is the last chunk), then there are no more remaining items and this field will be left unset and omitted during serialization. Servers older than v1.15 do not set this field. The intended use of the remainingItemCount is *estimating* the size of a collection. Clients should not rely on the remainingItemCount to be set or to be exact.",
          format: "int64",
          type: "integer",
        },
        resourceVersion: {
          description:
            "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency",
          type: "string",
        },
        selfLink: {
          description:
            "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.",
          type: "string",
        },
        shardInfo: {
          $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ShardInfo",
          description:
            "shardInfo is set when the list is a filtered subset of the full collection, as selected by a shard selector on the request. It echoes back the selector so clients can verify which shard they received and merge sharded responses. Clients should not cache sharded list responses as a full representation of the collection.\n\nThis is an alpha field and requires enabling the ShardedListAndWatch feature gate.",
        },
      },
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry": {
      description:
        "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
      properties: {
        apiVersion: {
          description:
            'APIVersion defines the version of this resource that this field set applies to. The format is "group/version" just like the top-level APIVersion field. It is necessary to track the version of a field set because it cannot be automatically converted.',
          type: "string",
        },
        fieldsType: {
          description:
            'FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"',
          type: "string",
        },
        fieldsV1: {
          $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
          description:
            'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.',
        },
        manager: {
          description: "Manager is an identifier of the workflow managing these fields.",
          type: "string",
        },
        operation: {
          description:
            "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'.",
          type: "string",
        },
        subresource: {
          description:
            "Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource. The value of this field is used to distinguish between managers, even if they share the same name. For example, a status update will be distinct from a regular update using the same manager name. Note that the APIVersion field is not related to the Subresource field and it always corresponds to the version of the main resource.",
          type: "string",
        },
        time: {
          $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time",
          description:
            "Time is the timestamp of when the ManagedFields entry was added. The timestamp will also be updated if a field is added, the manager changes any of the owned fields value or removes a field. The timestamp does not update when a field is removed from the entry because another manager took it over.",
        },
      },
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
      description:
        "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
      properties: {
        annotations: {
          additionalProperties: {
            type: "string",
          },
          description:
            "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations",
          type: "object",
        },
        creationTimestamp: {
          $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time",
          description:
            "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        },
        deletionGracePeriodSeconds: {
          description:
            "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.",
          format: "int64",
          type: "integer",
        },
        deletionTimestamp: {
          $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time",
          description:
            "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client. The resource is expected to be deleted (no longer visible from resource lists, and not reachable by name) after the time in this field, once the finalizers list is empty. As long as the finalizers list contains items, deletion is blocked. Once the deletionTimestamp is set, this value may not be unset or be set further into the future, although it may be shortened or the resource may be deleted prior to this time. For example, a user may request that a pod is deleted in 30 seconds. The Kubelet will react by sending a graceful termination signal to the containers in the pod. After that 30 seconds, the Kubelet will send a hard termination signal (SIGKILL) to the container and after cleanup, remove the pod from the API. In the presence of network partitions, this object may still exist after this timestamp, until an administrator or automated process can determine the resource is fully terminated. If not set, graceful deletion of the object has not been requested.\n\nPopulated by the system when a graceful deletion is requested. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        },
        finalizers: {
          description:
            "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be processed and removed in any order.  Order is NOT enforced because it introduces significant risk of stuck finalizers. finalizers is a shared field, any actor with permission can reorder it. If the finalizer list is processed in order, then this can lead to a situation in which the component responsible for the first finalizer in the list is waiting for a signal (field value, external system, or other) produced by a component responsible for a finalizer later in the list, resulting in a deadlock. Without enforced ordering finalizers are free to order amongst themselves and are not vulnerable to ordering changes in the list.",
          items: {
            type: "string",
          },
          type: "array",
          "x-kubernetes-list-type": "set",
          "x-kubernetes-patch-strategy": "merge",
        },
        generateName: {
          description:
            "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided. If this field is used, the name returned to the client will be different than the name passed. This value will also be combined with a unique suffix. The provided value has the same validation rules as the Name field, and may be truncated by the length of the suffix required to make the value unique on the server.\n\nIf this field is specified and the generated name exists, the server will return a 409.\n\nApplied only if Name is not specified. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency",
          type: "string",
        },
        generation: {
          description:
            "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.",
          format: "int64",
          type: "integer",
        },
        labels: {
          additionalProperties: {
            type: "string",
          },
          description:
            "Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels",
          type: "object",
        },
        managedFields: {
          description:
            "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field. A workflow can be the user's name, a controller's name, or the name of a specific apply path like \"ci-cd\". The set of fields is always in the version that the workflow used when modifying the object.",
          items: {
            $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
          },
          type: "array",
          "x-kubernetes-list-type": "atomic",
        },
        name: {
          description:
            "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
          type: "string",
        },
        namespace: {
          description:
            'Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace, but "default" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.\n\nMust be a DNS_LABEL. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces',
          type: "string",
        },
        ownerReferences: {
          description:
            "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true. There cannot be more than one managing controller.",
          items: {
            $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
          },
          type: "array",
          "x-kubernetes-list-map-keys": ["uid"],
          "x-kubernetes-list-type": "map",
          "x-kubernetes-patch-merge-key": "uid",
          "x-kubernetes-patch-strategy": "merge",
        },
        resourceVersion: {
          description:
            "An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources. Clients must treat these values as opaque and passed unmodified back to the server. They may only be valid for a particular resource or set of resources.\n\nPopulated by the system. Read-only. Value must be treated as opaque by clients and . More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency",
          type: "string",
        },
        selfLink: {
          description:
            "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.",
          type: "string",
        },
        uid: {
          description:
            "UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.\n\nPopulated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids",
          type: "string",
        },
      },
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference": {
      description:
        "OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.",
      properties: {
        apiVersion: {
          description: "API version of the referent.",
          type: "string",
        },
        blockOwnerDeletion: {
          description:
            'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed. See https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion for how the garbage collector interacts with this field and enforces the foreground deletion. Defaults to false. To set this field, a user needs "delete" permission of the owner, otherwise 422 (Unprocessable Entity) will be returned.',
          type: "boolean",
        },
        controller: {
          description: "If true, this reference points to the managing controller.",
          type: "boolean",
        },
        kind: {
          description:
            "Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
          type: "string",
        },
        name: {
          description:
            "Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
          type: "string",
        },
        uid: {
          description:
            "UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids",
          type: "string",
        },
      },
      required: ["apiVersion", "kind", "name", "uid"],
      type: "object",
      "x-kubernetes-map-type": "atomic",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": {
      description:
        "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions": {
      description:
        "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
      properties: {
        resourceVersion: {
          description: "Specifies the target ResourceVersion",
          type: "string",
        },
        uid: {
          description: "Specifies the target UID.",
          type: "string",
        },
      },
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.ShardInfo": {
      description:
        "ShardInfo describes the shard selector that was applied to produce a list response. Its presence on a list response indicates the list is a filtered subset.",
      properties: {
        selector: {
          description:
            "selector is the shard selector string from the request, echoed back so clients can verify which shard they received and merge responses from multiple shards.",
          type: "string",
        },
      },
      required: ["selector"],
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.Status": {
      description: "Status is a return value for calls that don't return other objects.",
      properties: {
        apiVersion: {
          description:
            "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
          type: "string",
        },
        code: {
          description: "Suggested HTTP return code for this status, 0 if not set.",
          format: "int32",
          type: "integer",
        },
        details: {
          $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails",
          description:
            "Extended data associated with the reason.  Each reason may define its own extended details. This field is optional and the data returned is not guaranteed to conform to any schema except that defined by the reason type.",
        },
        kind: {
          description:
            "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
          type: "string",
        },
        message: {
          description: "A human-readable description of the status of this operation.",
          type: "string",
        },
        metadata: {
          $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
          description:
            "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
        },
        reason: {
          description:
            'A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available. A Reason clarifies an HTTP status code but does not override it.',
          type: "string",
        },
        status: {
          description:
            'Status of the operation. One of: "Success" or "Failure". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
          type: "string",
        },
      },
      type: "object",
      "x-kubernetes-group-version-kind": [
        {
          group: "",
          kind: "Status",
          version: "v1",
        },
      ],
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause": {
      description:
        "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
      properties: {
        field: {
          description:
            'The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes. Arrays are zero-indexed.  Fields may appear more than once in an array of causes due to fields having multiple errors. Optional.\n\nExamples:\n  "name" - the field "name" on the current resource\n  "items[0].name" - the field "name" on the first array entry in "items"',
          type: "string",
        },
        message: {
          description:
            "A human-readable description of the cause of the error.  This field may be presented as-is to a reader.",
          type: "string",
        },
        reason: {
          description:
            "A machine-readable description of the cause of the error. If this value is empty there is no information available.",
          type: "string",
        },
      },
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails": {
      description:
        "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response. The Reason field of a Status object defines what attributes will be set. Clients must ignore fields that do not match the defined type of each attribute, and should assume that any attribute may be empty, invalid, or under defined.",
      properties: {
        causes: {
          description:
            "The Causes array includes more details associated with the StatusReason failure. Not all StatusReasons may provide detailed causes.",
          items: {
            $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause",
          },
          type: "array",
          "x-kubernetes-list-type": "atomic",
        },
        group: {
          description:
            "The group attribute of the resource associated with the status StatusReason.",
          type: "string",
        },
        kind: {
          description:
            "The kind attribute of the resource associated with the status StatusReason. On some operations may differ from the requested resource Kind. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
          type: "string",
        },
        name: {
          description:
            "The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).",
          type: "string",
        },
        retryAfterSeconds: {
          description:
            "If specified, the time in seconds before the operation should be retried. Some errors may indicate the client must take an alternate action - for those errors this field may indicate how long to wait before taking the alternate action.",
          format: "int32",
          type: "integer",
        },
        uid: {
          description:
            "UID of the resource. (when there is a single resource which can be described). More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids",
          type: "string",
        },
      },
      type: "object",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": {
      description:
        "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.",
      format: "date-time",
      type: "string",
    },
  },
};
