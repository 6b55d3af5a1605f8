{{- define "aks-auth-proxy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "aks-auth-proxy.fullname" -}}
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

{{- define "aks-auth-proxy.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels of the proxy pods. The component label keeps the helm test pod (component: test)
out of the Service's endpoints and out of the NetworkPolicy's pod selector.
*/}}
{{- define "aks-auth-proxy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aks-auth-proxy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: proxy
{{- end }}

{{- define "aks-auth-proxy.commonLabels" -}}
helm.sh/chart: {{ include "aks-auth-proxy.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: aks-auth-proxy
{{- end }}

{{- define "aks-auth-proxy.labels" -}}
{{ include "aks-auth-proxy.selectorLabels" . }}
{{ include "aks-auth-proxy.commonLabels" . }}
{{- end }}

{{- define "aks-auth-proxy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "aks-auth-proxy.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false: name the existing service account the federated identity credential trusts" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "aks-auth-proxy.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "aks-auth-proxy.redirectUrl" -}}
{{- if .Values.redirectUrl }}
{{- .Values.redirectUrl }}
{{- else }}
{{- printf "https://%s/oauth2/callback" .Values.host }}
{{- end }}
{{- end }}

{{/* The host browsers sign in on: `host`, else the redirect URL's host. */}}
{{- define "aks-auth-proxy.signInHost" -}}
{{- if .Values.host }}
{{- .Values.host }}
{{- else }}
{{- (urlParse (include "aks-auth-proxy.redirectUrl" .)).host }}
{{- end }}
{{- end }}

{{- define "aks-auth-proxy.cookieSecretName" -}}
{{- default (include "aks-auth-proxy.fullname" .) .Values.cookieSecrets.existingSecret }}
{{- end }}

{{- define "aks-auth-proxy.configPath" -}}
/etc/aks-auth-proxy/config.yaml
{{- end }}

{{- define "aks-auth-proxy.replicaFloor" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{/*
Value of the Secret's `cookie-secrets` data field (base64 of the comma-separated keys).

Order of sources:
1. cookieSecrets.keys from values.
2. The `cookie-secrets` field of this release's Secret if it already exists in the cluster, so an
   upgrade keeps the key and nobody is signed out. `lookup` needs a cluster: `helm template` and
   `helm install --dry-run=client` get an empty answer and fall through to 3, which is why their
   output shows a fresh key each time while a real upgrade does not.
3. A new random 32-byte key. Sprig's randBytes already returns base64 text, the format the service
   expects for one key; b64enc then encodes it once more as Secret data.
Not used with cookieSecrets.existingSecret: the chart then renders no Secret at all.
*/}}
{{- define "aks-auth-proxy.cookieSecretsData" -}}
{{- if .Values.cookieSecrets.keys }}
{{- join "," .Values.cookieSecrets.keys | b64enc }}
{{- else }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "aks-auth-proxy.fullname" .) }}
{{- $data := dig "data" "cookie-secrets" "" ($existing | default dict) }}
{{- if $data }}
{{- $data }}
{{- else }}
{{- randBytes 32 | b64enc }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Checks that need more than the schema: values that are required but have no sensible default, and
combinations. `fail` stops rendering with the message (helm lint only logs it).
*/}}
{{- define "aks-auth-proxy.validate" -}}
{{- if not .Values.azure.clientId }}
{{- fail "azure.clientId is required: the application (client) id of the Entra app registration (--set azure.clientId=<guid>)" }}
{{- end }}
{{- if not .Values.azure.tenantId }}
{{- fail "azure.tenantId is required: the directory (tenant) id of the Entra tenant (--set azure.tenantId=<guid>)" }}
{{- end }}
{{- if and (not .Values.host) (not .Values.redirectUrl) }}
{{- fail "host is required: the public host that serves /oauth2/* (--set host=auth.example.com), or set redirectUrl" }}
{{- end }}
{{- if and .Values.ingress.enabled (not .Values.host) }}
{{- fail "host is required when ingress.enabled is true: the Ingress routes /oauth2/* on that host" }}
{{- end }}
{{- if and .Values.cookieSecrets.existingSecret .Values.cookieSecrets.keys }}
{{- fail "cookieSecrets.existingSecret and cookieSecrets.keys are both set: choose one source for the cookie keys" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- $profileNames := list }}
{{- range .Values.profiles }}
{{- if eq .name "aks" }}
{{- fail "profiles: the aks profile is built in; change its scope with azure.aksServerAppId or azure.scope" }}
{{- end }}
{{- if has .name $profileNames }}
{{- fail (printf "profiles: the name %s is used twice; profile names must be unique" .name) }}
{{- end }}
{{- $profileNames = append $profileNames .name }}
{{- end }}
{{- if eq .Values.sessionStore "redis" }}
{{- $topologies := 0 }}
{{- if .Values.redis.url }}{{ $topologies = add1 $topologies }}{{ end }}
{{- if .Values.redis.sentinels }}{{ $topologies = add1 $topologies }}{{ end }}
{{- if .Values.redis.clusterNodes }}{{ $topologies = add1 $topologies }}{{ end }}
{{- if ne (int $topologies) 1 }}
{{- fail "sessionStore redis needs exactly one of redis.url, redis.sentinels and redis.clusterNodes" }}
{{- end }}
{{- if and .Values.redis.sentinels (not .Values.redis.masterName) }}
{{- fail "redis.masterName is required with redis.sentinels: the master name the Sentinels watch" }}
{{- end }}
{{- if and (eq .Values.redis.auth "entra") (or .Values.redis.username .Values.redis.existingSecret) }}
{{- fail "redis.auth entra takes the user name and password from the pod's workload identity: leave redis.username and redis.existingSecret empty" }}
{{- end }}
{{- end }}
{{- if eq (int .Values.ports.public) (int .Values.ports.internal) }}
{{- fail "ports.public and ports.internal must differ: tokens are only ever answered on the internal port" }}
{{- end }}
{{- end }}

{{/*
The TCP ports the pods open to Redis, as a JSON list of "port" or "first-last" strings: the port of each redis
address (6379 unless given, 26379 for Sentinels), 6379 behind Sentinels (the data port they name), and
networkPolicy.egress.redis.extraPorts.
*/}}
{{- define "aks-auth-proxy.redisPorts" -}}
{{- $r := .Values.redis }}
{{- $ports := list }}
{{- range (concat (compact (list $r.url)) $r.clusterNodes) }}
{{- $ports = append $ports (include "aks-auth-proxy.addressPort" (dict "address" . "default" "6379")) }}
{{- end }}
{{- range $r.sentinels }}
{{- $ports = append $ports (include "aks-auth-proxy.addressPort" (dict "address" . "default" "26379")) }}
{{- end }}
{{- if $r.sentinels }}
{{- $ports = append $ports "6379" }}
{{- end }}
{{- range .Values.networkPolicy.egress.redis.extraPorts }}
{{- $ports = append $ports (toString .) }}
{{- end }}
{{- toJson (uniq $ports) }}
{{- end }}

{{/* The port of one redis address (redis://host:port/db, rediss://host:port or host:port), else the default. */}}
{{- define "aks-auth-proxy.addressPort" -}}
{{- $hostPort := regexReplaceAll "/.*$" (regexReplaceAll "^rediss?://" .address "") "" }}
{{- $port := regexFind ":[0-9]+$" $hostPort }}
{{- if $port }}{{ trimPrefix ":" $port }}{{ else }}{{ .default }}{{ end }}
{{- end }}
