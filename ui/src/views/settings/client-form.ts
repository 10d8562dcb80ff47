// What the two sign-in client forms (Google's OAuth client, Microsoft's app registration) are
// to the rest of the settings window: the hooks they call and what they offer.

export type ClientFormHooks = {
  /** Starts the provider's sign-in (after "Save and connect"). */
  connect: () => void;
  /** Shows a result line under the connect buttons. */
  announce: (message: string) => void;
};

export type ClientForm = {
  form: HTMLFormElement;
  editButton: HTMLButtonElement;
  /** Opens the form filled from the saved settings; `thenConnect` makes it "Save and connect". */
  show(thenConnect: boolean): void;
  showError(message: string): void;
  /** While the form is closed, the edit link shows only if a client is saved (and editable). */
  refresh(): void;
};
