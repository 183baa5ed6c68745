/**
 * /share/:token/widgets/:widget_id/download?format=csv|svg|png: a shared widget's data or chart,
 * only when the link allows downloads (403 otherwise), under the link's locked filters.
 */
import type { FreshContext } from "../../../../../lib/fresh/mod.ts";
import type { PageState } from "../../../../../lib/app.ts";
import { ApiError } from "../../../../../lib/http/errors.ts";
import { admitShareRequest, sharedWidget } from "../../../../../functions/dashboards/share_view.ts";
import { DOWNLOAD_FORMATS, type DownloadFormat, widgetDownload } from "../../../../../functions/dashboards/render.ts";
import { dataKey } from "../../../../../functions/dashboards/view.ts";
import { shareHeaders } from "../../../../../functions/dashboards/share_headers.ts";
import { widgetResult } from "../../../../../routes/api/widget_result.ts";

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Response> {
    const { deps, meta } = ctx.state;
    await admitShareRequest(deps, meta);
    const format = ctx.url.searchParams.get("format") ?? "";
    if (!(DOWNLOAD_FORMATS as readonly string[]).includes(format)) {
      throw new ApiError(400, "invalid_request", "Choose a format: csv, svg or png");
    }
    const { widget, data, values } = await sharedWidget(
      deps,
      ctx.params.token,
      ctx.params.widget_id,
      ctx.url.searchParams,
    );
    const file = await widgetDownload(widget, widgetResult(data), format as DownloadFormat, dataKey(data, values));
    if (!file) throw new ApiError(400, "invalid_request", "This widget has no chart: download it as CSV");
    return new Response(file.body as BodyInit, {
      headers: {
        ...shareHeaders(false),
        "content-type": file.type,
        "content-disposition": `attachment; filename="${file.fileName}"`,
      },
    });
  },
};
