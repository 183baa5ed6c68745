/** Downloads a chart as PNG: the server's SVG drawn onto a canvas at twice its size, in the browser. */
export default function PngDownload(props: { svgUrl: string; fileName: string }) {
  async function download() {
    const svg = await (await fetch(props.svgUrl)).blob();
    const image = new Image();
    image.src = URL.createObjectURL(svg);
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.naturalWidth * 2;
    canvas.height = image.naturalHeight * 2;
    canvas.getContext("2d")!.drawImage(image, 0, 0, canvas.width, canvas.height);
    URL.revokeObjectURL(image.src);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
    if (!png) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(png);
    link.download = props.fileName;
    link.click();
    URL.revokeObjectURL(link.href);
  }
  return <button type="button" class="button" onClick={download}>PNG</button>;
}
