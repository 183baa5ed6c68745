/**
 * Downloads a chart as PNG: the server's SVG drawn onto a canvas at twice its size, in the browser.
 * `svgUrl` is the light download (format=svg), not the page's chart.svg, which turns dark with the page.
 */
export default function PngDownload(props: { svgUrl: string; fileName: string }) {
  async function download() {
    // Straight from the server: the page's CSP (img-src 'self' data:) refuses blob: images.
    const image = new Image();
    image.src = props.svgUrl;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.naturalWidth * 2;
    canvas.height = image.naturalHeight * 2;
    canvas.getContext("2d")!.drawImage(image, 0, 0, canvas.width, canvas.height);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
    if (!png) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(png);
    link.download = props.fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }
  return <button type="button" class="button" onClick={download}>PNG</button>;
}
