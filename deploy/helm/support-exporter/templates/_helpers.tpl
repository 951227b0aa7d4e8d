{{/* Names and labels, as `helm create` makes them. */}}
{{- define "support-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "support-exporter.fullname" -}}
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

{{- define "support-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "support-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "support-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "support-exporter.labels" -}}
helm.sh/chart: {{ include "support-exporter.chart" . }}
{{ include "support-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The job label of the scraped series: the ServiceMonitor's jobLabel names the
Service label holding it. Fixed, whatever the release is called, because the
rules and dashboards in files/ are generated with the selector
job="support-exporter" (deploy/chart_test.go; `go test ./deploy -update`).
*/}}
{{- define "support-exporter.job" -}}
support-exporter
{{- end }}

{{- define "support-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "support-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "support-exporter.secretName" -}}
{{- default (include "support-exporter.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "support-exporter.claimName" -}}
{{- default (include "support-exporter.fullname" .) .Values.persistence.existingClaim }}
{{- end }}

{{/* Where the config and the store are in the container. */}}
{{- define "support-exporter.configDir" -}}/etc/support_exporter{{- end }}
{{- define "support-exporter.storagePath" -}}/data{{- end }}

{{- define "support-exporter.configText" -}}
{{- if kindIs "string" .Values.config }}
{{- .Values.config }}
{{- else }}
{{- toYaml .Values.config }}
{{- end }}
{{- end }}

{{/*
The name of one of several objects of a kind: the fullname cut so that
"-<suffix>" always fits in 63 characters (cutting after the suffix would
give every dashboard ConfigMap, or both PrometheusRules, the same name).
Called with (list $ "suffix").
*/}}
{{- define "support-exporter.suffixedName" -}}
{{- $root := index . 0 }}
{{- $suffix := index . 1 }}
{{- $base := include "support-exporter.fullname" $root | trunc (int (sub 62 (len $suffix))) | trimSuffix "-" }}
{{- printf "%s-%s" $base $suffix }}
{{- end }}

{{/*
A Prometheus duration (1m30s, 15s, 1h) in milliseconds.
*/}}
{{- define "support-exporter.durationMs" -}}
{{- $units := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 "w" 604800000 "y" 31536000000 }}
{{- $ms := 0 }}
{{- range regexFindAll "[0-9]+(ms|s|m|h|d|w|y)" . -1 }}
{{- $ms = add $ms (mul (regexFind "^[0-9]+" . | atoi) (get $units (regexReplaceAll "^[0-9]+" . ""))) }}
{{- end }}
{{- $ms }}
{{- end }}

{{/*
The ServiceMonitor's scrapeTimeout: never longer than its interval (the
Prometheus Operator refuses a ServiceMonitor whose timeout is longer), so
the interval itself when scrapeTimeout is longer or empty.
*/}}
{{- define "support-exporter.scrapeTimeout" -}}
{{- $interval := .Values.serviceMonitor.interval }}
{{- $timeout := .Values.serviceMonitor.scrapeTimeout }}
{{- if or (not $timeout) (gt (include "support-exporter.durationMs" $timeout | atoi) (include "support-exporter.durationMs" $interval | atoi)) }}
{{- $interval }}
{{- else }}
{{- $timeout }}
{{- end }}
{{- end }}

{{/*
A container probe from the values: nothing when null or enabled: false;
the handler given (httpGet, tcpSocket, exec or grpc), else an httpGet on
the exporter's path. Called with (dict "probe" VALUES "path" PATH).
*/}}
{{- define "support-exporter.probe" -}}
{{- $p := omit .probe "enabled" }}
{{- if not (or $p.httpGet $p.tcpSocket $p.exec $p.grpc) }}
{{- $_ := set $p "httpGet" (dict "path" .path "port" "http-metrics") }}
{{- end }}
{{- toYaml $p }}
{{- end }}
