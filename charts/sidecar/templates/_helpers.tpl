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

{{/*
The sidecar container. Call with (dict "root" $ "mode" "sidecar"|"gateway"). Sidecar mode binds ext_proc to
loopback (only the pod's Envoy calls it) and has no readiness probe: failure_mode_allow already turns an unavailable
sidecar into "stable", and an unready sidecar must not take the workload pod out of its Services.
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
{{- if or (eq $mode "gateway") $v.sidecarMode.startupProbe }}
startupProbe:
  grpc:
    port: {{ $s.controlPort }}
  periodSeconds: {{ $v.sidecar.probes.startup.periodSeconds }}
  timeoutSeconds: {{ $v.sidecar.probes.startup.timeoutSeconds }}
  failureThreshold: {{ $v.sidecar.probes.startup.failureThreshold }}
{{- end }}
{{- if eq $mode "gateway" }}
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
      {{- with $v.analyzer.extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    volumeMounts:
      - name: canary-control-token
        mountPath: {{ include "sidecar.tokenDir" $root }}
        readOnly: true
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
