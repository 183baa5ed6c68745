/**
 * Refusals as a form shows them: the API's messages name fields by their JSON path
 * (`Invalid request: config.schedule: Invalid cron expression`), which a person filling in a form
 * never saw. This names the field by the label on the form instead, as a sentence.
 */

const PATH_MESSAGE = /^Invalid request: ([\w.\[\]-]+): (.+)$/s;

/** "config.schedule" → the form's label, else the path's last word in plain words ("base_url" → "Base URL"). */
function labelFor(path: string, labels: Record<string, string>): string {
  for (let p = path; p; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
    if (labels[p]) return labels[p];
  }
  const last = path.split(".").filter((s) => !/^\d+$/.test(s)).pop() ?? path;
  const words = last.replace(/_/g, " ").replace(/\burl\b/i, "URL");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The message of a refused form as a sentence naming the field by its label; other messages get a full stop. */
export function formMessage(message: string, labels: Record<string, string> = {}): string {
  const match = PATH_MESSAGE.exec(message);
  const sentence = match ? `${labelFor(match[1], labels)}: ${lowerFirst(match[2])}` : message;
  return /[.!?]$/.test(sentence) ? sentence : sentence + ".";
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
