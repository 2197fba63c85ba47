{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "sidecar.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: "<release>-<chart>", or the release name when it already contains the chart name. */}}
{{- define "sidecar.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "<fullname>-<suffix>", kept within 63 characters. Call with (list $ "suffix"). */}}
{{- define "sidecar.componentName" -}}
{{- $root := index . 0 }}
{{- $suffix := index . 1 }}
{{- printf "%s-%s" (include "sidecar.fullname" $root | trunc (int (sub 62 (len $suffix))) | trimSuffix "-") $suffix }}
{{- end }}

{{- define "sidecar.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sidecar.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "sidecar.labels" -}}
helm.sh/chart: {{ include "sidecar.chart" . }}
{{ include "sidecar.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: canary
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels: stable across upgrades, so never the chart or app version. */}}
{{- define "sidecar.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sidecar.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of a component's resources. Call with (list $ "component"). */}}
{{- define "sidecar.componentLabels" -}}
{{ include "sidecar.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "sidecar.componentSelectorLabels" -}}
{{ include "sidecar.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "sidecar.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "sidecar.gateway.serviceAccountName" -}}
{{- if .Values.gatewayMode.serviceAccount.create }}
{{- default (include "sidecar.componentName" (list . "gateway")) .Values.gatewayMode.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.gatewayMode.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sidecar.analyzer.serviceAccountName" -}}
{{- if .Values.analyzer.serviceAccount.create }}
{{- default (include "sidecar.componentName" (list . "analyzer")) .Values.analyzer.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.analyzer.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Name of the ConfigMap with the start-up rollout table; empty when there is none. */}}
{{- define "sidecar.rolloutsConfigMap" -}}
{{- if .Values.rollouts.existingConfigMap }}
{{- .Values.rollouts.existingConfigMap }}
{{- else if .Values.rollouts.create }}
{{- include "sidecar.componentName" (list . "rollouts") }}
{{- end }}
{{- end }}

{{/* Name of the Envoy cluster the EnvoyFilters add for the sidecar. */}}
{{- define "sidecar.envoyClusterName" -}}
{{- printf "canary-ext-proc-%s-%s" (include "sidecar.fullname" .) (include "sidecar.namespace" .) }}
{{- end }}

{{/*
Effective sidecar settings as JSON: each value from values.yaml when set, else from sidecar-defaults.json, the one
place the defaults live. Read with: $s := include "sidecar.settings" . | fromJson
*/}}
{{- define "sidecar.settings" -}}
{{- $d := (.Files.Get "sidecar-defaults.json" | fromJson).Canary }}
{{- $v := .Values.sidecar }}
{{- $s := dict }}
{{- $_ := set $s "extProcPort" (int (ternary $d.ExtProc.Port $v.ports.extProc (kindIs "invalid" $v.ports.extProc))) }}
{{- $_ = set $s "controlPort" (int (ternary $d.Control.Port $v.ports.control (kindIs "invalid" $v.ports.control))) }}
{{- $_ = set $s "metricsPort" (int (ternary $d.Metrics.Port $v.ports.metrics (kindIs "invalid" $v.ports.metrics))) }}
{{- $_ = set $s "maxConcurrentStreams" (int (ternary $d.ExtProc.MaxConcurrentStreams $v.extProc.maxConcurrentStreams (kindIs "invalid" $v.extProc.maxConcurrentStreams))) }}
{{- $_ = set $s "extProcBindAddress" $d.ExtProc.BindAddress }}
{{- $_ = set $s "routeKeyHeader" (ternary $d.Routing.RouteKeyHeader $v.routing.routeKeyHeader (kindIs "invalid" $v.routing.routeKeyHeader)) }}
{{- $_ = set $s "userKeyHeaders" (ternary $d.Routing.UserKeyHeaders $v.routing.userKeyHeaders (empty $v.routing.userKeyHeaders)) }}
{{- $_ = set $s "tenantHeader" (ternary $d.Routing.TenantHeader $v.routing.tenantHeader (kindIs "invalid" $v.routing.tenantHeader)) }}
{{- $_ = set $s "subsetHeader" (ternary $d.Routing.SubsetHeader $v.routing.subsetHeader (kindIs "invalid" $v.routing.subsetHeader)) }}
{{- $_ = set $s "removeSubsetHeaderOnUnmatched" (ternary $d.Routing.RemoveSubsetHeaderOnUnmatched $v.routing.removeSubsetHeaderOnUnmatched (kindIs "invalid" $v.routing.removeSubsetHeaderOnUnmatched)) }}
{{- $_ = set $s "flushInterval" (ternary $d.Telemetry.FlushInterval $v.telemetry.flushInterval (kindIs "invalid" $v.telemetry.flushInterval)) }}
{{- toJson $s }}
{{- end }}

{{/* Paths inside the sidecar and analyzer containers. */}}
{{- define "sidecar.tokenDir" -}}/var/run/secrets/canary/control{{- end }}
{{- define "sidecar.rolloutsDir" -}}/etc/canary/rollouts{{- end }}
{{- define "sidecar.pricesDir" -}}/etc/canary/prices{{- end }}
{{- define "sidecar.cacheDir" -}}/var/lib/canary{{- end }}
{{- define "sidecar.upstreamsDir" -}}/var/run/secrets/canary/upstreams{{- end }}
{{- define "sidecar.pricesKey" -}}prices.json{{- end }}
{{- define "sidecar.judgeRubricDir" -}}/etc/canary/judge{{- end }}
{{- define "sidecar.judgeRubricKey" -}}rubric.md{{- end }}
{{- define "sidecar.judgeKeyDir" -}}/var/run/secrets/canary/judge{{- end }}
{{- define "sidecar.judgePairedKeyDir" -}}/var/run/secrets/canary/judge-paired{{- end }}
{{- define "sidecar.judgeRubricConfigMap" -}}{{ include "sidecar.componentName" (list . "judge-rubric") }}{{- end }}

{{/* The cache file's volume source: sidecar.cacheFile.volume, or a disk-backed emptyDir of sidecar.cacheFile.sizeLimit. */}}
{{- define "sidecar.cacheVolume" -}}
{{- if .Values.sidecar.cacheFile.volume }}
{{- toYaml .Values.sidecar.cacheFile.volume }}
{{- else }}
emptyDir:
  sizeLimit: {{ .Values.sidecar.cacheFile.sizeLimit }}
{{- end }}
{{- end }}

{{/* Name of the ConfigMap with the price table; empty when no prices are set. */}}
{{- define "sidecar.pricesConfigMap" -}}
{{- if .Values.prices }}
{{- include "sidecar.componentName" (list . "prices") }}
{{- end }}
{{- end }}

{{/*
The price table in the sidecar's settings-file shape ({"Canary":{"Telemetry":{"Prices":[...]}}}), which the analyzer
reads from the file named by CANARY_PRICE_TABLE; the sidecar gets the same entries as Canary__Telemetry__Prices__N__*.
*/}}
{{- define "sidecar.pricesJson" -}}
{{- $entries := list }}
{{- range .Values.prices }}
{{- $e := dict "Model" .model "Input" .input "Output" .output }}
{{- if hasKey . "cachedInput" }}{{- $_ := set $e "CachedInput" .cachedInput }}{{- end }}
{{- if hasKey . "cacheWrite" }}{{- $_ := set $e "CacheWrite" .cacheWrite }}{{- end }}
{{- $entries = append $entries $e }}
{{- end }}
{{- toJson (dict "Canary" (dict "Telemetry" (dict "Prices" $entries))) }}
{{- end }}

{{/* Dynamic metadata namespaces the sidecar reads the user key and tenant from (forwarded to ext_proc). */}}
{{- define "sidecar.forwardedNamespaces" -}}
{{- $r := .Values.sidecar.routing }}
{{- $namespaces := list }}
{{- range (list $r.userKeyMetadata.namespace $r.tenantMetadata.namespace) }}
{{- if . }}{{- $namespaces = append $namespaces . }}{{- end }}
{{- end }}
{{- toJson (uniq $namespaces) }}
{{- end }}

{{/*
The sidecar container. Call with (dict "root" $ "mode" "sidecar"|"gateway"|"proxy"). Sidecar mode binds ext_proc to
loopback (only the pod's Envoy calls it) and has no readiness probe: failure_mode_allow already turns an unavailable
sidecar into "stable", and an unready sidecar must not take the workload pod out of its Services. Proxy mode adds the
proxy listener (docs/proxy.md) and its upstreams; nothing calls its ext_proc listener, which stays on loopback.
*/}}
{{- define "sidecar.container" -}}
{{- $root := .root }}
{{- $mode := .mode }}
{{- $v := $root.Values }}
{{- $s := include "sidecar.settings" $root | fromJson -}}
name: canary-sidecar
image: {{ include "sidecar.image" $root }}
imagePullPolicy: {{ $v.image.pullPolicy }}
{{- if and (eq $mode "sidecar") $v.sidecarMode.nativeSidecar }}
restartPolicy: Always
{{- end }}
ports:
  - name: grpc-extproc
    containerPort: {{ $s.extProcPort }}
    protocol: TCP
  - name: grpc-control
    containerPort: {{ $s.controlPort }}
    protocol: TCP
  - name: http-metrics
    containerPort: {{ $s.metricsPort }}
    protocol: TCP
  {{- if eq $mode "proxy" }}
  - name: http-proxy
    containerPort: {{ $v.proxyMode.port }}
    protocol: TCP
  {{- end }}
env:
  - name: Canary__SidecarId
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  - name: Canary__ExtProc__Port
    value: {{ $s.extProcPort | quote }}
  - name: Canary__ExtProc__BindAddress
    value: {{ ternary "0.0.0.0" $s.extProcBindAddress (eq $mode "gateway") | quote }}
  - name: Canary__ExtProc__MaxConcurrentStreams
    value: {{ $s.maxConcurrentStreams | quote }}
  - name: Canary__Control__Port
    value: {{ $s.controlPort | quote }}
  - name: Canary__Control__TokenFile
    value: {{ printf "%s/%s" (include "sidecar.tokenDir" $root) $v.controlToken.key | quote }}
  - name: Canary__Metrics__Port
    value: {{ $s.metricsPort | quote }}
  - name: Canary__Routing__RouteKeyHeader
    value: {{ $s.routeKeyHeader | quote }}
  {{- range $i, $h := $s.userKeyHeaders }}
  - name: Canary__Routing__UserKeyHeaders__{{ $i }}
    value: {{ $h | quote }}
  {{- end }}
  - name: Canary__Routing__TenantHeader
    value: {{ $s.tenantHeader | quote }}
  - name: Canary__Routing__SubsetHeader
    value: {{ $s.subsetHeader | quote }}
  - name: Canary__Routing__RemoveSubsetHeaderOnUnmatched
    value: {{ $s.removeSubsetHeaderOnUnmatched | toString | quote }}
  {{- with $v.sidecar.routing.userKeyMetadata.namespace }}
  - name: Canary__Routing__UserKeyMetadata__Namespace
    value: {{ . | quote }}
  - name: Canary__Routing__UserKeyMetadata__Path
    value: {{ $v.sidecar.routing.userKeyMetadata.path | quote }}
  {{- end }}
  {{- with $v.sidecar.routing.tenantMetadata.namespace }}
  - name: Canary__Routing__TenantMetadata__Namespace
    value: {{ . | quote }}
  - name: Canary__Routing__TenantMetadata__Path
    value: {{ $v.sidecar.routing.tenantMetadata.path | quote }}
  {{- end }}
  {{- if not (kindIs "invalid" $v.sidecar.routing.allowHeaderUserKey) }}
  - name: Canary__Routing__AllowHeaderUserKey
    value: {{ $v.sidecar.routing.allowHeaderUserKey | toString | quote }}
  {{- end }}
  {{- if $v.sidecar.cacheFile.enabled }}
  - name: Canary__Control__CacheFile
    value: {{ printf "%s/table-cache.json" (include "sidecar.cacheDir" $root) | quote }}
  {{- end }}
  {{- range $i, $p := $v.prices }}
  - name: Canary__Telemetry__Prices__{{ $i }}__Model
    value: {{ $p.model | quote }}
  - name: Canary__Telemetry__Prices__{{ $i }}__Input
    value: {{ $p.input | toString | quote }}
  {{- if hasKey $p "cachedInput" }}
  - name: Canary__Telemetry__Prices__{{ $i }}__CachedInput
    value: {{ $p.cachedInput | toString | quote }}
  {{- end }}
  - name: Canary__Telemetry__Prices__{{ $i }}__Output
    value: {{ $p.output | toString | quote }}
  {{- if hasKey $p "cacheWrite" }}
  - name: Canary__Telemetry__Prices__{{ $i }}__CacheWrite
    value: {{ $p.cacheWrite | toString | quote }}
  {{- end }}
  {{- end }}
  {{- if include "sidecar.rolloutsConfigMap" $root }}
  - name: Canary__Routing__RolloutsFile
    value: {{ printf "%s/%s" (include "sidecar.rolloutsDir" $root) $v.rollouts.key | quote }}
  {{- end }}
  {{- if $v.database.existingSecret }}
  - name: Canary__Database__ConnectionString
    valueFrom:
      secretKeyRef:
        name: {{ $v.database.existingSecret }}
        key: {{ $v.database.key }}
  - name: Canary__Telemetry__FlushInterval
    value: {{ $s.flushInterval | quote }}
  {{- $q := $v.quality }}
  {{- range $i, $r := $q.redact }}
  - name: Canary__Quality__Redact__{{ $i }}
    value: {{ $r | quote }}
  {{- end }}
  {{- range $key, $setting := dict "maxRequestBytes" "MaxRequestBytes" "maxResponseBytes" "MaxResponseBytes" "maxAnswerChars" "MaxAnswerChars" "queueCapacity" "QueueCapacity" }}
  {{- if not (kindIs "invalid" (index $q $key)) }}
  - name: Canary__Quality__{{ $setting }}
    value: {{ index $q $key | int64 | toString | quote }}
  {{- end }}
  {{- end }}
  {{- end }}
  {{- if eq $mode "proxy" }}
  {{- $p := $v.proxyMode }}
  - name: Canary__Proxy__Enabled
    value: "true"
  - name: Canary__Proxy__Port
    value: {{ $p.port | quote }}
  - name: Canary__Proxy__BindAddress
    value: "0.0.0.0"
  - name: Canary__Proxy__RouteKey
    value: {{ $p.routeKey | quote }}
  - name: Canary__Proxy__UserKeySource
    value: {{ $p.userKeySource | quote }}
  {{- range $i, $f := $p.userKeyBodyFields }}
  - name: Canary__Proxy__UserKeyBodyFields__{{ $i }}
    value: {{ $f | quote }}
  {{- end }}
  - name: Canary__Proxy__MaxRequestBodyBytes
    value: {{ $p.maxRequestBodyBytes | int64 | toString | quote }}
  - name: Canary__Proxy__UnmatchedRequests
    value: {{ $p.unmatchedRequests | quote }}
  {{- with $p.defaultUpstream }}
  - name: Canary__Proxy__DefaultUpstream
    value: {{ . | quote }}
  {{- end }}
  {{- range $name, $u := $p.upstreams }}
  - name: Canary__Proxy__Upstreams__{{ $name }}__Url
    value: {{ $u.url | quote }}
  {{- if $u.apiKeySecret }}
  - name: Canary__Proxy__Upstreams__{{ $name }}__ApiKeyFile
    value: {{ printf "%s/%s/api-key" (include "sidecar.upstreamsDir" $root) $name | quote }}
  {{- end }}
  {{- with $u.apiKeyHeader }}
  - name: Canary__Proxy__Upstreams__{{ $name }}__ApiKeyHeader
    value: {{ . | quote }}
  {{- end }}
  {{- with $u.connectTimeout }}
  - name: Canary__Proxy__Upstreams__{{ $name }}__ConnectTimeout
    value: {{ . | quote }}
  {{- end }}
  {{- with $u.timeout }}
  - name: Canary__Proxy__Upstreams__{{ $name }}__Timeout
    value: {{ . | quote }}
  {{- end }}
  {{- end }}
  {{- end }}
  {{- with $v.sidecar.extraEnv }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
volumeMounts:
  - name: canary-control-token
    mountPath: {{ include "sidecar.tokenDir" $root }}
    readOnly: true
  {{- if include "sidecar.rolloutsConfigMap" $root }}
  - name: canary-rollouts
    mountPath: {{ include "sidecar.rolloutsDir" $root }}
    readOnly: true
  {{- end }}
  - name: canary-tmp
    mountPath: /tmp
  {{- if $v.sidecar.cacheFile.enabled }}
  - name: canary-cache
    mountPath: {{ include "sidecar.cacheDir" $root }}
  {{- end }}
  {{- if eq $mode "proxy" }}
  {{- range $name, $u := $v.proxyMode.upstreams }}
  {{- if $u.apiKeySecret }}
  - name: canary-upstream-{{ $name }}
    mountPath: {{ printf "%s/%s" (include "sidecar.upstreamsDir" $root) $name }}
    readOnly: true
  {{- end }}
  {{- end }}
  {{- end }}
{{- if or (ne $mode "sidecar") $v.sidecarMode.startupProbe }}
startupProbe:
  grpc:
    port: {{ $s.controlPort }}
  periodSeconds: {{ $v.sidecar.probes.startup.periodSeconds }}
  timeoutSeconds: {{ $v.sidecar.probes.startup.timeoutSeconds }}
  failureThreshold: {{ $v.sidecar.probes.startup.failureThreshold }}
{{- end }}
{{- if ne $mode "sidecar" }}
readinessProbe:
  grpc:
    port: {{ $s.controlPort }}
  periodSeconds: {{ $v.sidecar.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ $v.sidecar.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ $v.sidecar.probes.readiness.failureThreshold }}
{{- end }}
livenessProbe:
  grpc:
    port: {{ $s.controlPort }}
  periodSeconds: {{ $v.sidecar.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ $v.sidecar.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ $v.sidecar.probes.liveness.failureThreshold }}
{{- if $v.sidecar.preStopSleepSeconds }}
lifecycle:
  preStop:
    sleep:
      seconds: {{ $v.sidecar.preStopSleepSeconds }}
{{- end }}
{{- with $v.sidecar.resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $v.containerSecurityContext | nindent 2 }}
{{- end }}

{{/* Volumes the sidecar container mounts. */}}
{{- define "sidecar.volumes" -}}
- name: canary-control-token
  secret:
    secretName: {{ .Values.controlToken.existingSecret }}
    defaultMode: 0444
    items:
      - key: {{ .Values.controlToken.key }}
        path: {{ .Values.controlToken.key }}
{{- with include "sidecar.rolloutsConfigMap" . }}
- name: canary-rollouts
  configMap:
    name: {{ . }}
    defaultMode: 0444
    items:
      - key: {{ $.Values.rollouts.key }}
        path: {{ $.Values.rollouts.key }}
{{- end }}
- name: canary-tmp
  emptyDir:
    medium: Memory
    sizeLimit: {{ .Values.sidecar.tmpSizeLimit }}
{{- if .Values.sidecar.cacheFile.enabled }}
- name: canary-cache
  {{- toYaml (include "sidecar.cacheVolume" . | fromYaml) | nindent 2 }}
{{- end }}
{{- end }}

{{/*
The ext_proc HTTP filter patch value. Call with (dict "root" $ "cluster" name). No grpc_service.timeout: the stream
lives as long as the HTTP request (minutes for an LLM response); message_timeout bounds each reply instead.
*/}}
{{- define "sidecar.extProcFilter" -}}
{{- $e := (.root.Files.Get "sidecar-defaults.json" | fromJson).Envoy }}
{{- $v := .root.Values.envoy -}}
name: {{ $e.FilterName }}
typed_config:
  "@type": type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor
  grpc_service:
    envoy_grpc:
      cluster_name: {{ .cluster | quote }}
  failure_mode_allow: {{ $e.FailureModeAllow }}
  allow_mode_override: {{ $e.AllowModeOverride }}
  processing_mode:
    {{- toYaml $e.ProcessingMode | nindent 4 }}
  message_timeout: {{ $v.messageTimeout }}
  max_message_timeout: {{ $v.maxMessageTimeout }}
  # Envoy drops dynamic metadata a processor returns unless its namespace is listed here; the sidecar names the
  # rollout, arm and reason of each request under this one, for the access log.
  metadata_options:
    receiving_namespaces:
      untyped:
        - {{ $e.MetadataNamespace }}
    {{- with include "sidecar.forwardedNamespaces" .root | fromJsonArray }}
    # Where the sidecar reads the user key and tenant from (an authentication filter's output, which clients cannot set).
    forwarding_namespaces:
      untyped:
        {{- toYaml . | nindent 8 }}
    {{- end }}
{{- end }}

{{/*
The header_mutation filter that removes a client-sent subset header before anything routes on it. It is the first
HTTP filter: a filter that looks the route up (fault, CORS, JWT, per-route configuration) caches a route picked on the
headers as they are, and Envoy picks again only when a later filter clears that cache, which ext_proc does when the
sidecar sets the header but not when the sidecar is down (failure_mode_allow). Removed first, the header cannot pick a
subset in either case: the VirtualService sends a request without it to stable.
*/}}
{{- define "sidecar.subsetHeaderRemoval" -}}
{{- $s := include "sidecar.settings" .root | fromJson }}
{{- $e := (.root.Files.Get "sidecar-defaults.json" | fromJson).Envoy -}}
name: {{ $e.SubsetHeaderRemovalFilterName }}
typed_config:
  "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation
  mutations:
    request_mutations:
      - remove: {{ $s.subsetHeader | quote }}
{{- end }}

{{/*
The jwt_authn filter (envoy.jwtAuthn): verifies the request's JWT with the configured providers and writes the payload
of a valid one to dynamic metadata (namespace envoy.filters.http.jwt_authn, key envoy.jwtAuthn.payloadKey), where the
sidecar reads the user key and tenant from. envoy.jwtAuthn.requirement says what happens to a request without a valid
token.
*/}}
{{- define "sidecar.jwtAuthnFilter" -}}
{{- $j := .root.Values.envoy.jwtAuthn }}
{{- $providers := dict }}
{{- range $name, $p := $j.providers }}
{{- $_ := set $providers $name (merge (dict "payload_in_metadata" $j.payloadKey) $p) }}
{{- end }}
{{- $alternatives := list }}
{{- range $name, $_ := $j.providers }}
{{- $alternatives = append $alternatives (dict "provider_name" $name) }}
{{- end }}
{{- if eq $j.requirement "allow_missing_or_failed" }}
{{- $alternatives = append $alternatives (dict "allow_missing_or_failed" (dict)) }}
{{- else if eq $j.requirement "allow_missing" }}
{{- $alternatives = append $alternatives (dict "allow_missing" (dict)) }}
{{- end }}
{{- $requires := ternary (first $alternatives) (dict "requires_any" (dict "requirements" $alternatives)) (eq (len $alternatives) 1) -}}
name: {{ (.root.Files.Get "sidecar-defaults.json" | fromJson).Envoy.JwtAuthnFilterName }}
typed_config:
  "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
  providers:
    {{- toYaml $providers | nindent 4 }}
  rules:
    - match:
        prefix: /
      requires:
        {{- toYaml $requires | nindent 8 }}
{{- end }}

{{/*
The access log the EnvoyFilters merge into the HTTP connection manager: one JSON line per request with the rollout,
arm and assignment reason the sidecar returned as dynamic metadata (namespace from sidecar-defaults.json).
*/}}
{{- define "sidecar.accessLog" -}}
{{- $a := .root.Values.envoy.accessLog }}
{{- $s := include "sidecar.settings" .root | fromJson }}
{{- $ns := (.root.Files.Get "sidecar-defaults.json" | fromJson).Envoy.MetadataNamespace -}}
typed_config:
  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
  access_log:
    - name: envoy.access_loggers.file
      {{- if $a.routedOnly }}
      # Only requests the sidecar answered for a rollout (a request no rollout covers carries no canary metadata).
      filter:
        metadata_filter:
          matcher:
            filter: {{ $ns }}
            path:
              - key: rollout
            value:
              present_match: true
          match_if_key_not_found: false
      {{- end }}
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
        path: {{ $a.path }}
        log_format:
          json_format:
            start_time: "%START_TIME%"
            method: "%REQ(:METHOD)%"
            path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"
            authority: "%REQ(:AUTHORITY)%"
            request_id: "%REQ(X-REQUEST-ID)%"
            response_code: "%RESPONSE_CODE%"
            response_flags: "%RESPONSE_FLAGS%"
            duration_ms: "%DURATION%"
            upstream_cluster: "%UPSTREAM_CLUSTER%"
            upstream_host: "%UPSTREAM_HOST%"
            subset_header: {{ printf "%%REQ(%s)%%" $s.subsetHeader | quote }}
            canary_rollout: {{ printf "%%DYNAMIC_METADATA(%s:rollout)%%" $ns | quote }}
            canary_arm: {{ printf "%%DYNAMIC_METADATA(%s:arm)%%" $ns | quote }}
            canary_reason: {{ printf "%%DYNAMIC_METADATA(%s:reason)%%" $ns | quote }}
{{- end }}

{{/*
The EnvoyFilter patches both modes share: the processor cluster, the subset-header removal (first HTTP filter), the
optional jwt_authn filter and ext_proc (in that order, before the router), and the access log. Call with (dict "root"
$ "context" "SIDECAR_OUTBOUND"|"GATEWAY" "port" listener-port-or-nil "clusterType" type "address" host).
*/}}
{{- define "sidecar.envoyPatches" -}}
{{- $root := .root }}
{{- $cluster := include "sidecar.envoyClusterName" $root }}
{{- $e := ($root.Files.Get "sidecar-defaults.json" | fromJson).Envoy }}
{{- $listener := dict "filterChain" (dict "filter" (dict "name" "envoy.filters.network.http_connection_manager")) }}
{{- if .port }}{{- $_ := set $listener "portNumber" .port }}{{- end }}
{{- $router := dict "filterChain" (dict "filter" (dict "name" "envoy.filters.network.http_connection_manager" "subFilter" (dict "name" $e.InsertBefore))) }}
{{- if .port }}{{- $_ := set $router "portNumber" .port }}{{- end -}}
- applyTo: CLUSTER
  match:
    context: {{ .context }}
  patch:
    operation: ADD
    value:
      {{- include "sidecar.processorCluster" (dict "root" $root "cluster" $cluster "type" .clusterType "address" .address) | nindent 6 }}
- applyTo: HTTP_FILTER
  match:
    context: {{ .context }}
    listener:
      {{- toYaml $listener | nindent 6 }}
  patch:
    operation: INSERT_FIRST
    value:
      {{- include "sidecar.subsetHeaderRemoval" (dict "root" $root) | nindent 6 }}
{{- if $root.Values.envoy.jwtAuthn.enabled }}
- applyTo: HTTP_FILTER
  match:
    context: {{ .context }}
    listener:
      {{- toYaml $router | nindent 6 }}
  patch:
    operation: INSERT_BEFORE
    value:
      {{- include "sidecar.jwtAuthnFilter" (dict "root" $root) | nindent 6 }}
{{- end }}
- applyTo: HTTP_FILTER
  match:
    context: {{ .context }}
    listener:
      {{- toYaml $router | nindent 6 }}
  patch:
    operation: INSERT_BEFORE
    value:
      {{- include "sidecar.extProcFilter" (dict "root" $root "cluster" $cluster) | nindent 6 }}
{{- if $root.Values.envoy.accessLog.enabled }}
- applyTo: NETWORK_FILTER
  match:
    context: {{ .context }}
    listener:
      {{- toYaml $listener | nindent 6 }}
  patch:
    operation: MERGE
    value:
      {{- include "sidecar.accessLog" (dict "root" $root) | nindent 6 }}
{{- end }}
{{- end }}

{{/*
The processor cluster patch value: HTTP/2 to the sidecar, circuit breakers sized for thousands of concurrent LLM
streams. Call with (dict "root" $ "cluster" name "type" "STATIC"|"STRICT_DNS" "address" host).
*/}}
{{- define "sidecar.processorCluster" -}}
{{- $v := .root.Values.envoy }}
{{- $s := include "sidecar.settings" .root | fromJson -}}
name: {{ .cluster | quote }}
type: {{ .type }}
connect_timeout: {{ $v.connectTimeout }}
lb_policy: {{ ternary "ROUND_ROBIN" "LEAST_REQUEST" (eq .type "STATIC") }}
{{- if eq .type "STRICT_DNS" }}
dns_refresh_rate: {{ $v.dnsRefreshRate }}
respect_dns_ttl: true
{{- end }}
typed_extension_protocol_options:
  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
    explicit_http_config:
      http2_protocol_options:
        max_concurrent_streams: {{ $s.maxConcurrentStreams }}
        connection_keepalive:
          interval: {{ $v.http2.keepaliveInterval }}
          timeout: {{ $v.http2.keepaliveTimeout }}
circuit_breakers:
  thresholds:
    - priority: DEFAULT
      max_connections: {{ $v.circuitBreakers.maxConnections | int }}
      max_pending_requests: {{ $v.circuitBreakers.maxPendingRequests | int }}
      max_requests: {{ $v.circuitBreakers.maxRequests | int }}
      max_retries: {{ $v.circuitBreakers.maxRetries | int }}
    - priority: HIGH
      max_connections: {{ $v.circuitBreakers.maxConnections | int }}
      max_pending_requests: {{ $v.circuitBreakers.maxPendingRequests | int }}
      max_requests: {{ $v.circuitBreakers.maxRequests | int }}
      max_retries: {{ $v.circuitBreakers.maxRetries | int }}
load_assignment:
  cluster_name: {{ .cluster | quote }}
  endpoints:
    - lb_endpoints:
        - endpoint:
            address:
              socket_address:
                address: {{ .address }}
                port_value: {{ $s.extProcPort }}
{{- end }}

{{/* Label selectors (Kubernetes syntax) by which the analyzer finds sidecar pods. */}}
{{- define "sidecar.discoverySelectors" -}}
{{- $selectors := list }}
{{- if .Values.sidecarMode.enabled }}
{{- $parts := list }}
{{- range $k, $v := .Values.sidecarMode.workloadLabels }}
{{- $parts = append $parts (printf "%s=%s" $k $v) }}
{{- end }}
{{- $selectors = append $selectors (join "," $parts) }}
{{- end }}
{{- if .Values.gatewayMode.enabled }}
{{- $parts := list }}
{{- range $k, $v := include "sidecar.componentSelectorLabels" (list . "gateway") | fromYaml }}
{{- $parts = append $parts (printf "%s=%s" $k $v) }}
{{- end }}
{{- $selectors = append $selectors (join "," $parts) }}
{{- end }}
{{- if .Values.proxyMode.enabled }}
{{- $parts := list }}
{{- range $k, $v := include "sidecar.componentSelectorLabels" (list . "proxy") | fromYaml }}
{{- $parts = append $parts (printf "%s=%s" $k $v) }}
{{- end }}
{{- $selectors = append $selectors (join "," $parts) }}
{{- end }}
{{- toJson (concat $selectors .Values.analyzer.discovery.extraLabelSelectors) }}
{{- end }}

{{/* The analyzer's pod spec. Call with (dict "root" $ "args" list-of-arguments "restartPolicy" policy). */}}
{{- define "sidecar.analyzer.podSpec" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $s := include "sidecar.settings" $root | fromJson -}}
serviceAccountName: {{ include "sidecar.analyzer.serviceAccountName" $root }}
automountServiceAccountToken: true
restartPolicy: {{ .restartPolicy }}
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
securityContext:
  {{- toYaml $v.podSecurityContext | nindent 2 }}
containers:
  - name: canary-analyzer
    image: {{ include "sidecar.image" $root }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    command:
      - /app/canary-analyzer
    args:
      {{- toYaml (concat .args $v.analyzer.extraArgs) | nindent 6 }}
    env:
      - name: Canary__Database__ConnectionString
        valueFrom:
          secretKeyRef:
            name: {{ $v.database.existingSecret }}
            key: {{ $v.database.key }}
      - name: Canary__Control__TokenFile
        value: {{ printf "%s/%s" (include "sidecar.tokenDir" $root) $v.controlToken.key | quote }}
      - name: Canary__Discovery__Namespace
        valueFrom:
          fieldRef:
            fieldPath: metadata.namespace
      - name: Canary__Discovery__ControlPort
        value: {{ $s.controlPort | quote }}
      {{- range $i, $sel := include "sidecar.discoverySelectors" $root | fromJsonArray }}
      - name: Canary__Discovery__LabelSelectors__{{ $i }}
        value: {{ $sel | quote }}
      {{- end }}
      {{- if $v.analyzer.meshWeights.enabled }}
      # Mesh-weight mode: after each run the analyzer sets these VirtualServices' weights to their rollout's.
      - name: Canary__MeshWeights__Enabled
        value: "true"
      {{- range $i, $svc := $v.routing.services }}
      - name: Canary__MeshWeights__VirtualServices__{{ $i }}
        value: {{ printf "%s/%s" (include "sidecar.namespace" $root) (include "sidecar.componentName" (list $root $svc.name)) | quote }}
      {{- end }}
      {{- end }}
      {{- if include "sidecar.pricesConfigMap" $root }}
      - name: CANARY_PRICE_TABLE
        value: {{ printf "%s/%s" (include "sidecar.pricesDir" $root) (include "sidecar.pricesKey" $root) | quote }}
      {{- end }}
      {{- with $v.analyzer.judge }}
      {{- if .enabled }}
      # Judging of quality samples (docs/quality.md, "Judging"): the rubric and the API key are files.
      - name: Canary__Judge__Endpoint
        value: {{ .endpoint | quote }}
      - name: Canary__Judge__Model
        value: {{ .model | quote }}
      - name: Canary__Judge__RubricFile
        value: {{ printf "%s/%s" (include "sidecar.judgeRubricDir" $root) (include "sidecar.judgeRubricKey" $root) | quote }}
      {{- if .apiKeySecret }}
      - name: Canary__Judge__ApiKeyFile
        value: {{ printf "%s/%s" (include "sidecar.judgeKeyDir" $root) .apiKeySecretKey | quote }}
      {{- end }}
      - name: Canary__Judge__DailySpendCapUsd
        value: {{ .dailySpendCapUsd | toString | quote }}
      - name: Canary__Judge__InputPricePerMillionUsd
        value: {{ .inputPricePerMillionUsd | toString | quote }}
      - name: Canary__Judge__OutputPricePerMillionUsd
        value: {{ .outputPricePerMillionUsd | toString | quote }}
      - name: Canary__Judge__Concurrency
        value: {{ .concurrency | toString | quote }}
      - name: Canary__Judge__RequestsPerMinute
        value: {{ .requestsPerMinute | toString | quote }}
      - name: Canary__Judge__MaxSamplesPerRun
        value: {{ .maxSamplesPerRun | toString | quote }}
      {{- if .paired.rollouts }}
      - name: Canary__Judge__Paired__Rollouts
        value: {{ join "," .paired.rollouts | quote }}
      {{- if .paired.apiKeySecret }}
      - name: Canary__Judge__Paired__ApiKeyFile
        value: {{ printf "%s/%s" (include "sidecar.judgePairedKeyDir" $root) .paired.apiKeySecretKey | quote }}
      {{- end }}
      {{- end }}
      {{- end }}
      {{- end }}
      {{- with $v.analyzer.extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    volumeMounts:
      - name: canary-control-token
        mountPath: {{ include "sidecar.tokenDir" $root }}
        readOnly: true
      {{- if include "sidecar.pricesConfigMap" $root }}
      - name: canary-prices
        mountPath: {{ include "sidecar.pricesDir" $root }}
        readOnly: true
      {{- end }}
      {{- if $v.analyzer.judge.enabled }}
      - name: canary-judge-rubric
        mountPath: {{ include "sidecar.judgeRubricDir" $root }}
        readOnly: true
      {{- if $v.analyzer.judge.apiKeySecret }}
      - name: canary-judge-key
        mountPath: {{ include "sidecar.judgeKeyDir" $root }}
        readOnly: true
      {{- end }}
      {{- if and $v.analyzer.judge.paired.rollouts $v.analyzer.judge.paired.apiKeySecret }}
      - name: canary-judge-paired-key
        mountPath: {{ include "sidecar.judgePairedKeyDir" $root }}
        readOnly: true
      {{- end }}
      {{- end }}
      - name: canary-tmp
        mountPath: /tmp
    {{- with $v.analyzer.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    securityContext:
      {{- toYaml $v.containerSecurityContext | nindent 6 }}
volumes:
  - name: canary-control-token
    secret:
      secretName: {{ $v.controlToken.existingSecret }}
      defaultMode: 0444
      items:
        - key: {{ $v.controlToken.key }}
          path: {{ $v.controlToken.key }}
  {{- with include "sidecar.pricesConfigMap" $root }}
  - name: canary-prices
    configMap:
      name: {{ . }}
      defaultMode: 0444
      items:
        - key: {{ include "sidecar.pricesKey" $root }}
          path: {{ include "sidecar.pricesKey" $root }}
  {{- end }}
  {{- if $v.analyzer.judge.enabled }}
  - name: canary-judge-rubric
    configMap:
      name: {{ include "sidecar.judgeRubricConfigMap" $root }}
      defaultMode: 0444
      items:
        - key: {{ include "sidecar.judgeRubricKey" $root }}
          path: {{ include "sidecar.judgeRubricKey" $root }}
  {{- if $v.analyzer.judge.apiKeySecret }}
  - name: canary-judge-key
    secret:
      secretName: {{ $v.analyzer.judge.apiKeySecret }}
      defaultMode: 0444
      items:
        - key: {{ $v.analyzer.judge.apiKeySecretKey }}
          path: {{ $v.analyzer.judge.apiKeySecretKey }}
  {{- end }}
  {{- with $v.analyzer.judge.paired }}
  {{- if and .rollouts .apiKeySecret }}
  - name: canary-judge-paired-key
    secret:
      secretName: {{ .apiKeySecret }}
      defaultMode: 0444
      items:
        - key: {{ .apiKeySecretKey }}
          path: {{ .apiKeySecretKey }}
  {{- end }}
  {{- end }}
  {{- end }}
  - name: canary-tmp
    emptyDir:
      medium: Memory
      sizeLimit: {{ $v.sidecar.tmpSizeLimit }}
{{- with $v.analyzer.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.analyzer.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.analyzer.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
