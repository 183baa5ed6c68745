/** What a destructive action asks before it runs: shared by the dialog island and the confirmation page. */
export interface Confirmation {
  /** Unique on the page: the dialog's heading id. */
  id: string;
  title: string;
  /** One or two sentences: what goes, and what stays. */
  message: string;
  /** Where the form posts (a same-site path), and its hidden fields. */
  action: string;
  fields: Record<string, string>;
  confirmLabel: string;
  /** Where Cancel goes on the plain page. */
  cancelHref: string;
  /** The plain confirmation page (GET), for browsers without JavaScript. */
  pageHref: string;
}
