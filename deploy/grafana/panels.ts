import {
  BigValueGraphMode,
  GraphDrawStyle,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel reads the Prometheus data source chosen in the dashboard's variable. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** Grafana's rate window: at least four scrape intervals, whatever the zoom. */
export const RATE = '$__rate_interval';

export interface Query {
  expr: string;
  legend: string;
}

export const query = (expr: string, legend: string): Query => ({ expr, legend });

function targets<T extends TimeseriesPanelBuilder | StatPanelBuilder>(
  panel: T,
  queries: Query[],
): T {
  queries.forEach(({ expr, legend }, index) =>
    panel.withTarget(
      new DataqueryBuilder()
        .expr(expr)
        .legendFormat(legend)
        .refId(String.fromCharCode(65 + index)),
    ),
  );
  return panel;
}

/** Thresholds coloured from green up: each step is the value from which the colour applies. */
export function thresholds(...steps: [number | null, string][]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));
}

export function timeseries(
  title: string,
  description: string,
  unit: string,
  queries: Query[],
): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .min(0)
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Right)
        .showLegend(true)
        .calcs(['mean', 'max'])
        .sortBy('Max')
        .sortDesc(true),
    )
    .height(8)
    .span(12);
  return targets(panel, queries);
}

/** Counts per interval as stacked bars: events that are rare and matter one by one. */
export const bars = (panel: TimeseriesPanelBuilder): TimeseriesPanelBuilder =>
  panel
    .drawStyle(GraphDrawStyle.Bars)
    .fillOpacity(80)
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal));

/** A dashed line at the alert's default threshold, so the panel shows how close it is. */
export const alertLine = (panel: TimeseriesPanelBuilder, at: number, color = 'red') =>
  panel
    .thresholds(thresholds([null, 'transparent'], [at, color]))
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));

export function stat(
  title: string,
  description: string,
  unit: string,
  expr: string,
): StatPanelBuilder {
  const panel = new StatPanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .graphMode(BigValueGraphMode.Area)
    .height(4)
    .span(6);
  return targets(panel, [query(expr, title)]);
}

export const quantiles = (metric: string, by: string, legend: string): Query[] =>
  ['0.5', '0.95', '0.99'].map((q) =>
    query(
      `histogram_quantile(${q}, sum by (le, ${by}) (rate(${metric}_bucket[${RATE}])))`,
      `p${Number(q) * 100} ${legend}`,
    ),
  );
