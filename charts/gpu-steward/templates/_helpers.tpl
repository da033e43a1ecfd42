{{/* Names ---------------------------------------------------------------------------------- */}}
{{- define "gpu-steward.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gpu-steward.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Object names derived from the full name; 52 characters leave room for suffixes. */}}
{{- define "gpu-steward.controller.fullname" -}}{{ include "gpu-steward.fullname" . | trunc 52 | trimSuffix "-" }}{{- end -}}
{{- define "gpu-steward.scheduler.fullname" -}}{{ printf "%s-scheduler" (include "gpu-steward.fullname" . | trunc 52 | trimSuffix "-") }}{{- end -}}
{{- define "gpu-steward.agent.fullname" -}}{{ printf "%s-agent" (include "gpu-steward.fullname" . | trunc 52 | trimSuffix "-") }}{{- end -}}
{{- define "gpu-steward.autoscaler.fullname" -}}{{ printf "%s-autoscaler" (include "gpu-steward.fullname" . | trunc 52 | trimSuffix "-") }}{{- end -}}
{{- define "gpu-steward.autoscaler.emulator.fullname" -}}{{ printf "%s-autoscaler-emulator" (include "gpu-steward.fullname" . | trunc 43 | trimSuffix "-") }}{{- end -}}
{{- define "gpu-steward.certgen.fullname" -}}{{ printf "%s-certgen" (include "gpu-steward.fullname" . | trunc 52 | trimSuffix "-") }}{{- end -}}
{{- define "gpu-steward.webhook.name" -}}{{ include "gpu-steward.fullname" . }}{{- end -}}

{{- define "gpu-steward.serviceAccountName" -}}
{{- default (include "gpu-steward.controller.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "gpu-steward.tlsSecretName" -}}
{{- default (printf "%s-webhook-tls" (include "gpu-steward.fullname" . | trunc 52 | trimSuffix "-")) .Values.certs.secretName -}}
{{- end -}}

{{- define "gpu-steward.certificateName" -}}{{ printf "%s-serving-cert" (include "gpu-steward.fullname" . | trunc 48 | trimSuffix "-") }}{{- end -}}

{{/* The Service's DNS names: what the apiserver and the scheduler dial. */}}
{{- define "gpu-steward.serviceDnsNames" -}}
{{- $svc := include "gpu-steward.controller.fullname" . -}}
{{- printf "%s.%s.svc,%s.%s.svc.cluster.local" $svc .Release.Namespace $svc .Release.Namespace -}}
{{- end -}}

{{/* The autoscaler's static-data ConfigMap: the user's (autoscaler.staticData.configMap), or the chart's from inline documents. */}}
{{- define "gpu-steward.autoscaler.dataName" -}}
{{- with (.Values.autoscaler.staticData | default dict).configMap -}}
{{- .name -}}
{{- else -}}
{{- printf "%s-data" (include "gpu-steward.autoscaler.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "gpu-steward.autoscaler.dataNamespace" -}}
{{- $cm := (.Values.autoscaler.staticData | default dict).configMap | default dict -}}
{{- default .Release.Namespace $cm.namespace -}}
{{- end -}}

{{/* Labels -------------------------------------------------------------------------------- */}}
{{- define "gpu-steward.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "gpu-steward.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gpu-steward
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels take a component: controller | scheduler | certgen | agent | autoscaler | autoscaler-emulator. */}}
{{- define "gpu-steward.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gpu-steward.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Images -------------------------------------------------------------------------------- */}}
{{- define "gpu-steward.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
kube-scheduler image matched to the cluster: registry.k8s.io tags are vMAJOR.MINOR.PATCH, while
provider versions carry suffixes (v1.33.2-eks-…, v1.33.2+k3s1), so only that prefix is kept.
*/}}
{{- define "gpu-steward.scheduler.image" -}}
{{- $tag := .Values.scheduler.image.tag -}}
{{- if not $tag -}}
{{- $tag = regexFind "^v[0-9]+\\.[0-9]+\\.[0-9]+" .Capabilities.KubeVersion.Version -}}
{{- end -}}
{{- printf "%s:%s" .Values.scheduler.image.repository $tag -}}
{{- end -}}

{{/* Security -------------------------------------------------------------------------------- */}}
{{/* 65532 = the image's USER (distroless "nonroot"); every container but the node agent's runs as it, read-only root. */}}
{{- define "gpu-steward.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "gpu-steward.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
The node agent is the one exception to uid 65532: it runs as root (uid 0) because what it touches on
the host belongs to root: the pod cgroup files it throttles (io.max, cpu.max, mode 0644), the kubelet's
pod-resources socket (connect needs write permission on it) and its state dir. Root owning those
files is all it needs, so it still drops every capability (no CAP_DAC_OVERRIDE, no CAP_SYS_ADMIN), is
not privileged, cannot gain privileges (no_new_privs) and keeps a read-only root filesystem.
*/}}
{{- define "gpu-steward.agent.podSecurityContext" -}}
runAsNonRoot: false
runAsUser: 0
runAsGroup: 0
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "gpu-steward.agent.containerSecurityContext" -}}
runAsNonRoot: false
runAsUser: 0
runAsGroup: 0
privileged: false
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
`, recursiveReadOnly: IfPossible` for a read-only hostPath mount whose host directory has mounts
below it (/sys has cgroup2, bpf, debugfs, tracefs, efivarfs…; /proc has binfmt_misc). A plain
`readOnly` bind mount is read-only at its top only: the mounts below stay writable. The field is beta
(on by default) from Kubernetes 1.31; earlier API servers would drop or refuse it, so it is left out
there. IfPossible falls back to the plain read-only mount where the runtime or kernel cannot do it.
*/}}
{{- define "gpu-steward.agent.recursiveReadOnly" -}}
{{- if semverCompare ">=1.31.0-0" .Capabilities.KubeVersion.Version }}, recursiveReadOnly: IfPossible{{ end -}}
{{- end -}}

{{/* Extender URL the scheduler dials: the controller Service on the extender port. */}}
{{- define "gpu-steward.extenderUrl" -}}
{{- $scheme := ternary "https" "http" .Values.extender.tls -}}
{{- printf "%s://%s.%s.svc:%v" $scheme (include "gpu-steward.controller.fullname" .) .Release.Namespace .Values.controller.ports.extender -}}
{{- end -}}

{{/* The webhook's watch label as a matchLabels map. */}}
{{- define "gpu-steward.watchLabelSelector" -}}
{{- $kv := splitn "=" 2 .Values.webhook.watchLabel -}}
matchLabels:
  {{ $kv._0 }}: {{ $kv._1 | quote }}
{{- end -}}

{{/*
The autoscaler's settings that values.schema.json cannot say, or says less clearly: its static data
(exactly one source, the documents it needs), and a token only with a Prometheus to send it to. The
schema refuses most of these first; these messages also hold with --skip-schema-validation.
*/}}
{{- define "gpu-steward.autoscaler.validate" -}}
{{- $a := .Values.autoscaler -}}
{{- $sd := $a.staticData | default dict -}}
{{- if and $sd.configMap $sd.inline -}}
{{- fail "autoscaler.staticData: set configMap (an existing ConfigMap) or inline (the documents), not both" -}}
{{- end -}}
{{- if and (not $sd.inline) (not (and $sd.configMap $sd.configMap.name)) -}}
{{- fail "autoscaler.enabled=true needs the optimizer's static data: set autoscaler.staticData.configMap.name (an existing ConfigMap with the keys accelerator-data.json, model-data.json, serviceclass-data.json, optimizer-data.json) or autoscaler.staticData.inline (those four documents)" -}}
{{- end -}}
{{- with $sd.inline -}}
{{- $needed := list "accelerator-data.json" "model-data.json" "serviceclass-data.json" "optimizer-data.json" -}}
{{- if eq $a.capacityFrom "file" -}}
{{- $needed = append $needed "capacity-data.json" -}}
{{- end -}}
{{- range $needed -}}
{{- if not (hasKey $sd.inline .) -}}
{{- fail (printf "autoscaler.staticData.inline needs the document %s%s" . (ternary " (autoscaler.capacityFrom=file)" "" (eq . "capacity-data.json"))) -}}
{{- end -}}
{{- end -}}
{{- range $key, $doc := . -}}
{{- if and (kindIs "string" $doc) (hasKey (fromJson $doc) "Error") -}}
{{- fail (printf "autoscaler.staticData.inline.%s is not a JSON object: %s" $key (get (fromJson $doc) "Error")) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $a.prometheus.tokenSecret.name (not $a.prometheus.url) -}}
{{- fail "autoscaler.prometheus.tokenSecret is set without autoscaler.prometheus.url: the token is only sent to Prometheus" -}}
{{- end -}}
{{- end -}}

{{/* An inline static document as the JSON text the autoscaler reads: a string as it is, YAML as JSON. */}}
{{- define "gpu-steward.autoscaler.document" -}}
{{- if kindIs "string" . -}}{{ . }}{{- else -}}{{ toPrettyJson . }}{{- end -}}
{{- end -}}
