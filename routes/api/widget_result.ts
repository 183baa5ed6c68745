/** A widget's data in the query result shape `{columns, rows}`, metrics as one row, errors as 422. */
import { ApiError } from "../../lib/http/errors.ts";
import type { WidgetData } from "../../functions/dashboards/widget_data.ts";
import type { QueryResult } from "../../functions/query_dataset.ts";

/** The result to send or download; throws the widget's own error as a 422 sentence. */
export function widgetResult(data: WidgetData): QueryResult {
  if (data.error) throw new ApiError(422, "unprocessable", data.error);
  if (data.metric) {
    const m = data.metric;
    return {
      columns: [
        { name: "value", type: "number" },
        { name: "previous", type: "number" },
        { name: "change", type: "number" },
      ],
      rows: [[m.value, m.previous ?? null, m.change ?? null]],
    };
  }
  return data.result ?? { columns: [], rows: [] };
}
