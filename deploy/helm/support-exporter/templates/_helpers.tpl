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
