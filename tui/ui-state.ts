/**
 * The dashboard's own state: only what is on screen. Everything about the lab comes from the session.
 */
import type { PanelId } from './layout.js';
import type { Story } from './log-model.js';
import { WHOLE_RUN, type TimeWindow, type Tone } from './view-model.js';

export interface UiState {
  /** The pane that arrows act on. */
  focus: PanelId;
  /** The part of the run every chart shows. */
  window: TimeWindow;
  overlay: 'none' | 'help' | 'story';
  story: Story | undefined;
  /** First line shown in the help or story overlay. */
  overlayScroll: number;
  /** Text typed after `/`, while the filter prompt is open. */
  prompt: string | undefined;
  /** A message in the hint bar until `untilMs` (real milliseconds). */
  flash: { text: string; tone: Tone; untilMs: number } | undefined;
  /** An async control started by a key and not settled yet. */
  busy: 'restart' | 'snapshot' | undefined;
}

/** The panes Tab moves between, in order; hidden panes are skipped. The log first: arrows scroll it at once. */
export const FOCUS_ORDER: readonly PanelId[] = ['log', 'conc', 'rates', 'courier'];

export function initialUiState(): UiState {
  return {
    focus: 'log',
    window: { ...WHOLE_RUN },
    overlay: 'none',
    story: undefined,
    overlayScroll: 0,
    prompt: undefined,
    flash: undefined,
    busy: undefined,
  };
}
