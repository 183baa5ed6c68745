/**
 * The AI SDK's framework-free `AbstractChat` with its state in Preact signals: the SDK does the
 * protocol (sending, streaming, stopping, resuming, errors); components just read the signals.
 */
import { signal } from "@preact/signals";
import { AbstractChat, type ChatInit, type ChatState, type ChatStatus, type UIMessage } from "ai";

class SignalChatState<M extends UIMessage> implements ChatState<M> {
  readonly #messages = signal<M[]>([]);
  readonly #status = signal<ChatStatus>("ready");
  readonly #error = signal<Error | undefined>(undefined);

  constructor(initial: M[]) {
    this.#messages.value = initial;
  }

  get messages(): M[] {
    return this.#messages.value;
  }
  set messages(messages: M[]) {
    this.#messages.value = [...messages];
  }
  get status(): ChatStatus {
    return this.#status.value;
  }
  set status(status: ChatStatus) {
    this.#status.value = status;
  }
  get error(): Error | undefined {
    return this.#error.value;
  }
  set error(error: Error | undefined) {
    this.#error.value = error;
  }

  pushMessage = (message: M) => {
    this.#messages.value = [...this.#messages.value, message];
  };
  popMessage = () => {
    this.#messages.value = this.#messages.value.slice(0, -1);
  };
  replaceMessage = (index: number, message: M) => {
    const next = [...this.#messages.value];
    next[index] = this.snapshot(message);
    this.#messages.value = next;
  };
  // A copy per update, so each streamed token is a new value the signal sees.
  snapshot = <T>(thing: T): T => structuredClone(thing);
}

/** A chat whose messages, status and error are signals. */
export class PreactChat<M extends UIMessage = UIMessage> extends AbstractChat<M> {
  constructor({ messages, ...init }: ChatInit<M>) {
    super({ ...init, state: new SignalChatState<M>(messages ?? []) });
  }
}
