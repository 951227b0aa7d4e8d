// The shape a committed dashboard must have, built from Grafana's own
// published schema (@grafana/schema): the dashboard kind for the dashboard,
// its links, variables, rows and panel frames, and each panel plugin's
// panelcfg for that panel's options and custom field config.
//
// check.mjs pastes each dashboard's JSON, verbatim, as an object literal
// typed `CheckedDashboard`, so tsc's excess property checks reject unknown
// keys as well as values of the wrong type.

import type {
  DataQuery,
  Dashboard,
  FieldConfig,
  FieldConfigSource,
  Panel,
  RowPanel,
  VariableModel,
} from '@grafana/schema';
import type * as BarGauge from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type * as Heatmap from '@grafana/schema/dist/esm/raw/composable/heatmap/panelcfg/x/HeatmapPanelCfg_types.gen';
import type * as Stat from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type * as Table from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type * as TimeSeries from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

// Wire is T as JSON carries it. The schema spells its closed string sets as
// TypeScript enums, which no string literal satisfies; `${E}` is the union
// of the enum's values. Numeric enums accept their member values already.
type Wire<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer E)[]
      ? Wire<E>[]
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;

// Loose is Wire with every key optional, at any depth: Grafana merges a
// panel plugin's defaults into the options and custom field config a saved
// dashboard leaves out, so only names and types can be wrong there.
type Loose<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer E)[]
      ? Loose<E>[]
      : T extends object
        ? { [K in keyof T]?: Loose<T[K]> }
        : T;

// A query as every data source has it. The data source's own fields (expr,
// legendFormat... for Prometheus) are not in @grafana/schema, so they stay
// open.
type Query = Wire<DataQuery> & Record<string, unknown>;

// PanelOf is a panel of plugin Type: the dashboard kind's panel frame, with
// options and custom field config from the plugin's panelcfg schema.
type PanelOf<Type extends string, Options, Custom> = Omit<
  Wire<Panel>,
  'type' | 'options' | 'fieldConfig' | 'targets'
> & {
  type: Type;
  options?: Loose<Options>;
  fieldConfig?: Omit<Wire<FieldConfigSource>, 'defaults'> & {
    defaults: Omit<Wire<FieldConfig>, 'custom'> & { custom?: Loose<Custom> };
  };
  targets?: Query[];
};

// No custom field config: stat and bar gauge define none in their panelcfg.
type NoCustom = Record<string, never>;

// The panel plugins the dashboards use. A dashboard that adds another
// visualization fails here until its panelcfg is added to this union.
type PluginPanel =
  | PanelOf<'bargauge', BarGauge.Options, NoCustom>
  | PanelOf<'heatmap', Heatmap.Options, Heatmap.FieldConfig>
  | PanelOf<'stat', Stat.Options, NoCustom>
  | PanelOf<'table', Table.Options, Table.FieldConfig>
  | PanelOf<'timeseries', TimeSeries.Options, TimeSeries.FieldConfig>;

// A row carries its panels itself only while collapsed.
type Row = Omit<Wire<RowPanel>, 'panels'> & { panels: PluginPanel[] };

// `definition` is the query as the variable editor shows it: Grafana's
// runtime QueryVariableModel and the v2 schema's QueryVariableSpec carry it,
// and Grafana saves it, but the v1 kind has not caught up.
type Variable = Wire<VariableModel> & { definition?: string };

export type CheckedDashboard = Omit<Wire<Dashboard>, 'panels' | 'templating'> & {
  panels?: (PluginPanel | Row)[];
  templating?: { list?: Variable[] };
};
