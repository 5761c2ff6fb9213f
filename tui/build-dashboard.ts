/**
 * The dashboard: reads a LabSession, draws it, and turns keys into the session's controls. It owns no lab
 * state; its own state is only what is on screen (focus, zoom, overlays, the sampled log).
 *
 * `buildDashboard` wires a dashboard onto any blessed screen (tests use an in-memory one); `runDashboard`
 * (in dashboard.ts) adds the real terminal, the frame timer and the exit paths.
 */
import type blessed from 'blessed';
import type { LabSession, LabSnapshot } from '../lab/lab-view.js';
import type { LogRecord } from '../lab/logs/log-record.js';
import { FrameDrawer } from './frame-drawer.js';
import { applyCalmKey } from './calm-keys.js';
import {
  actionFor,
  HELP_LINES,
  LOAD_LADDER,
  MODE_ORDER,
  stepLadder,
  stepQueueConcurrency,
  type Action,
  type KeyEvent,
  type ScrollKind,
} from './key-map.js';
import type { Layout } from './layout.js';
import { LogModel, parseFilter } from './log-model.js';
import { LogScroll } from './log-pane.js';
import { createWidgets, inner, type Widgets } from './panels.js';
import { FOCUS_ORDER, initialUiState, type UiState } from './ui-state.js';
import { ZOOM_SPANS, type Tone } from './view-model.js';
import { KEY_OUTAGE_S, keyOutage } from './fault-view.js';

export type { UiState } from './ui-state.js';

export interface DashboardOptions {
  /** Real milliseconds, for log sampling and how long messages stay (injected so tests control it). */
  nowMs?: () => number;
  /** How long a message in the hint bar stays, in real milliseconds. @default 6000 */
  flashMs?: number;
}

export interface Dashboard {
  readonly screen: blessed.Widgets.Screen;
  readonly widgets: Widgets;
  readonly ui: Readonly<UiState>;
  readonly logs: LogModel;
  readonly layout: Layout;
  /** Resolves when the user asks to quit (q, Ctrl-C). */
  readonly quitRequested: Promise<void>;
  /** Redraws every visible pane from the session (no render). */
  update(): void;
  /** One frame: update, then one `screen.render()`. */
  frame(): void;
  /** Re-reads the screen size and moves the panes (also bound to the screen's resize event). */
  relayout(): void;
  /** Handles one key as blessed reports it, and renders at once. */
  handleKey(ch: string | undefined, key: KeyEvent): void;
  /** Settles once async controls started by keys (snapshot, restart) are done; for tests. */
  idle(): Promise<void>;
  /** Unsubscribes from the session and the screen; does not destroy the screen. */
  dispose(): void;
}

export function buildDashboard(
  screen: blessed.Widgets.Screen,
  session: LabSession,
  options: DashboardOptions = {},
): Dashboard {
  const nowMs = options.nowMs ?? (() => performance.now());
  const flashMs = options.flashMs ?? 6000;
  const widgets = createWidgets(screen);
  const logs = new LogModel();
  const scroll = new LogScroll();
  const ui: UiState = initialUiState();
  const drawer = new FrameDrawer(screen, widgets, logs, scroll, nowMs);
  let pending: Promise<void> = Promise.resolve();
  let disposed = false;
  let resolveQuit: () => void = () => {};
  const quitRequested = new Promise<void>((resolve) => (resolveQuit = resolve));

  const unsubscribe = session.subscribeLogs((record) => logs.ingest(record));

  function flash(text: string, tone: Tone = 'none'): void {
    ui.flash = { text, tone, untilMs: nowMs() + flashMs };
  }

  function note(message: string, level: LogRecord['level'] = 'INFO'): void {
    logs.note({ level, message, timestamp: new Date().toISOString(), service: 'stormlab' });
  }

  function update(): void {
    if (!disposed) drawer.draw(session, ui);
  }

  function frame(): void {
    if (disposed) return;
    drawer.draw(session, ui);
    screen.render();
  }

  function relayout(): void {
    drawer.relayout(ui);
  }

  function focusNext(dir: 1 | -1): void {
    const order = FOCUS_ORDER.filter((id) => drawer.layout.panels[id]);
    const i = order.indexOf(ui.focus);
    ui.focus = order[(i + dir + order.length) % order.length] ?? 'log';
  }

  function scrollChart(kind: ScrollKind, rows: number): void {
    const zi = ZOOM_SPANS.indexOf(ui.window.spanS);
    const span = ui.window.spanS;
    if (kind === 'up' || kind === 'down') {
      const next = Math.max(0, Math.min(ZOOM_SPANS.length - 1, zi + (kind === 'up' ? 1 : -1)));
      ui.window = {
        spanS: ZOOM_SPANS[next],
        endOffsetS: ZOOM_SPANS[next] === undefined ? 0 : ui.window.endOffsetS,
      };
      return;
    }
    if (span === undefined) {
      if (kind !== 'end') flash('The charts show the whole run: Up zooms in, then Left and Right pan.');
      return;
    }
    const maxOffset = Math.max(0, rows - span);
    const step = Math.max(1, Math.floor(span / 2));
    let off = ui.window.endOffsetS;
    if (kind === 'left' || kind === 'pageup') off += step;
    if (kind === 'right' || kind === 'pagedown') off -= step;
    if (kind === 'home') off = maxOffset;
    if (kind === 'end') off = 0;
    ui.window = { spanS: span, endOffsetS: Math.max(0, Math.min(maxOffset, off)) };
  }

  function scrollFocused(kind: ScrollKind): void {
    if (ui.overlay !== 'none') {
      const page = Math.max(1, (drawer.layout.rows ?? 10) - 6);
      const delta = {
        up: -1,
        down: 1,
        pageup: -page,
        pagedown: page,
        home: -1e9,
        end: 1e9,
        left: 0,
        right: 0,
      }[kind];
      ui.overlayScroll = Math.max(0, ui.overlayScroll + delta);
      if (ui.overlay === 'help')
        ui.overlayScroll = Math.min(ui.overlayScroll, Math.max(0, HELP_LINES.length - 3));
      return;
    }
    if (ui.focus === 'log') {
      const height = inner(drawer.layout.panels.log ?? { left: 0, top: 0, width: 3, height: 3 }).height;
      if (kind === 'up') scroll.move(logs.shown, -1, height);
      else if (kind === 'down') scroll.move(logs.shown, 1, height);
      else if (kind === 'pageup') scroll.move(logs.shown, -height, height);
      else if (kind === 'pagedown') scroll.move(logs.shown, height, height);
      else if (kind === 'home') scroll.home(logs.shown);
      else if (kind === 'end') scroll.end();
      return;
    }
    scrollChart(kind, session.series().length);
  }

  function track(p: Promise<void>): void {
    pending = pending.then(() => p);
  }

  function showStory(): void {
    let cid: string | undefined;
    if (ui.focus === 'log') {
      const entry = scroll.selected ?? [...logs.shown].reverse().find((e) => e.record.correlation_id);
      cid = entry?.record.correlation_id;
    }
    if (!cid && logs.filter?.kind === 'cid') cid = logs.findCorrelationId(logs.filter.value);
    if (!cid) {
      flash('No correlation id here: Tab to the log, pick a line with the arrows, then Enter.', 'warn');
      return;
    }
    const story = logs.story(cid);
    if (!story) {
      flash(`No lines kept for ${cid} any more.`, 'warn');
      return;
    }
    ui.story = story;
    ui.overlay = 'story';
    ui.overlayScroll = 0;
    drawer.placeOverlays(ui);
  }

  function apply(action: Action): void {
    const snap = (): LabSnapshot => session.snapshot();
    switch (action.type) {
      case 'quit':
        resolveQuit();
        return;
      case 'mode':
        session.setMode(action.mode);
        flash(`mode: ${action.mode}`, 'good');
        drawer.invalidate();
        return;
      case 'cycle-mode': {
        const current = snap().mode;
        const next = MODE_ORDER[(MODE_ORDER.indexOf(current) + 1) % MODE_ORDER.length]!;
        apply({ type: 'mode', mode: next });
        return;
      }
      case 'load': {
        const f = stepLadder(LOAD_LADDER, snap().loadFactor, action.dir);
        session.setLoadFactor(f);
        flash(`load factor: x${f} of the scenario's rate`);
        return;
      }
      case 'queue': {
        const s = snap();
        const n = stepQueueConcurrency(s.queueConcurrency, action.dir);
        session.setQueueConcurrency(n);
        flash(`queue concurrency: ${n}${s.mode === 'none' ? ' (applies in queue and throttle modes)' : ''}`);
        drawer.invalidate();
        return;
      }
      case 'queue-limit':
      case 'retry-policy':
      case 'calm-scope':
      case 'breaker':
        flash(applyCalmKey(session, action.type), 'good');
        drawer.invalidate();
        return;
      case 'pause': {
        const paused = !snap().loadPaused;
        session.setLoadPaused(paused);
        flash(paused ? 'load paused: nothing new arrives; what is in flight carries on' : 'load resumed');
        return;
      }
      case 'restart':
        if (ui.busy) return stillBusy(ui.busy);
        ui.busy = 'restart';
        flash('restarting the run...');
        track(
          session
            .restart()
            .then(
              () => {
                note('run restarted from scenario time 0');
                flash('run restarted', 'good');
              },
              (err: unknown) => flash(`restart failed: ${String(err)}`, 'bad'),
            )
            .finally(afterAsync),
        );
        return;
      case 'snapshot':
        if (ui.busy) return stillBusy(ui.busy);
        ui.busy = 'snapshot';
        flash('writing a report snapshot...');
        track(
          session
            .writeSnapshot()
            .then(
              (path) => {
                note(`report snapshot written: ${path}`);
                flash(`snapshot written: ${path}`, 'good');
              },
              (err: unknown) => flash(`snapshot failed: ${String(err)}`, 'bad'),
            )
            .finally(afterAsync),
        );
        return;
      case 'outage': {
        if (!session.fireFault) {
          flash('faults cannot be injected here (an outside courier)', 'bad');
          return;
        }
        const spec = keyOutage(snap().t);
        session.fireFault(spec);
        flash(`courier outage for ${KEY_OUTAGE_S} s from ${spec.startS} s`, 'bad');
        return;
      }
      case 'help':
        ui.overlay = ui.overlay === 'help' ? 'none' : 'help';
        ui.overlayScroll = 0;
        drawer.placeOverlays(ui);
        return;
      case 'close':
        ui.overlay = 'none';
        ui.story = undefined;
        drawer.placeOverlays(ui);
        return;
      case 'focus':
        focusNext(action.dir);
        return;
      case 'scroll':
        scrollFocused(action.kind);
        return;
      case 'filter-open':
        ui.prompt = logs.filter?.raw ?? '';
        return;
      case 'prompt-char':
        ui.prompt = (ui.prompt ?? '') + action.ch;
        return;
      case 'prompt-backspace':
        ui.prompt = (ui.prompt ?? '').slice(0, -1);
        return;
      case 'prompt-submit': {
        const filter = parseFilter(ui.prompt ?? '');
        ui.prompt = undefined;
        logs.setFilter(filter);
        scroll.end();
        flash(
          filter
            ? `log filtered by ${filter.kind === 'cid' ? 'correlation id' : filter.kind} ${filter.raw}`
            : 'log filter cleared',
        );
        return;
      }
      case 'prompt-cancel':
        ui.prompt = undefined;
        return;
      case 'story':
        showStory();
        return;
      case 'none':
        return;
    }
  }

  /** A second restart or snapshot waits for the first; say so rather than drop the key silently. */
  function stillBusy(busy: NonNullable<UiState['busy']>): void {
    flash(
      `still ${busy === 'restart' ? 'restarting the run' : 'writing the report snapshot'}; try again once it is done`,
      'warn',
    );
  }

  function afterAsync(): void {
    ui.busy = undefined;
    drawer.invalidate();
    frame();
  }

  function handleKey(ch: string | undefined, key: KeyEvent): void {
    if (disposed) return;
    const action = actionFor(ch, key, { overlay: ui.overlay, prompting: ui.prompt !== undefined });
    if (action.type === 'none') return;
    if (drawer.layout.kind === 'too-small' && action.type !== 'quit') return;
    apply(action);
    frame(); // answer every key at once, not at the next tick
  }

  const onKey = (ch: string | undefined, key: KeyEvent): void => handleKey(ch, key);
  const onResize = (): void => {
    relayout();
    frame();
  };
  screen.on('keypress', onKey);
  screen.on('resize', onResize);
  relayout();

  return {
    screen,
    widgets,
    logs,
    get ui() {
      return ui;
    },
    get layout() {
      return drawer.layout;
    },
    quitRequested,
    update,
    frame,
    relayout,
    handleKey,
    idle: () => pending,
    dispose() {
      if (disposed) return;
      disposed = true;
      unsubscribe();
      screen.removeListener('keypress', onKey);
      screen.removeListener('resize', onResize);
    },
  };
}
