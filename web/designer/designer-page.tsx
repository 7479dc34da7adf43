// The designer: toolbar, palette, canvas and inspector around one graph edited only through GraphOps.
import { useCan } from '../auth/session';
import '@xyflow/react/dist/style.css';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { canonicalJson, compile, edgeId, getKind, workspaceCompileContext, type CompileContext, type Diagnostic, type Graph, type GraphOp, type Integration, type WorkspaceObject } from '../../shared';
import { api, ApiRequestError, errorMessage } from '../api';
import { listMemberSystemNames } from '../../shared/api/routes';
import { setMemberSystems } from '../formula/editor-contexts';
import { ErrorBanner } from '../components/empty-state';
import { PageHeader } from '../components/page-header';
import { IntegrationNotFound } from '../pages/not-found-page';
import { IconChevronLeft, IconChevronRight, IconHistory, IconRedo, IconSearch, IconUndo, Spinner } from '../components/icons';
import { TestRecordDialog } from './test-record-dialog';
import { chooseStart, drafts, type Draft } from '../drafts';
import { chainedConfig } from './chained-config';
import { DescriptionEditor } from './description-editor';
import { useLoad, useMediaQuery, WIDE_SCREEN } from '../lib/hooks';
import { askDialog } from '../lib/confirm';
import { toast } from '../lib/toasts';
import { href, navigate } from '../router';
import { RunDialog } from '../runs/run-files-dialog';
import { RunMenu } from '../runs/run-menu';
import { Canvas, FIT_OPTIONS, NODE_HEIGHT, NODE_WIDTH, type Selection } from './canvas';
import { addNodeOp, deleteSelectionOps, freeSpot, onlyPositionsDiffer } from './flow-ops';
import { canRedo, canUndo, commit, createHistory, redo, undo, type History } from './history';
import { Inspector } from './inspector';
import { Palette } from './palette';
import { ProblemsButton } from './problems-panel';
import { useSampleProblems } from './sample-checks';
import { configChangeOps, defaultStepName } from './step-names';

const OFFLINE_CODES = new Set(['network', 'unavailable']);



export default function DesignerPage({ id }: { id: string }) {
  const loaded = useLoad(async () => {
    const draft = await drafts()
      .load(id)
      .catch(() => null);
    try {
      return { integration: await api.getIntegration(id), draft };
    } catch (e) {
      // Offline with a local draft: keep working on it; Save catches up later.
      if (draft && e instanceof ApiRequestError && OFFLINE_CODES.has(e.code)) return { integration: null, draft };
      throw e;
    }
  }, [id]);
  const objects = useLoad(() => api.listObjects().catch(() => [] as WorkspaceObject[]), []);
  // MEMBER("system", …) is checked against the member systems (Members page); unknown until they load.
  const memberSystems = useLoad(() => api.call(listMemberSystemNames).catch(() => null), []);
  useEffect(() => setMemberSystems(memberSystems.data ?? null), [memberSystems.data]);

  if (loaded.error) {
    if (loaded.error instanceof ApiRequestError && loaded.error.status === 404) return <IntegrationNotFound />;
    return (
      <div className="page">
        <PageHeader title="The designer could not open" />
        <div className="page__body">
          <ErrorBanner message={errorMessage(loaded.error)} onRetry={loaded.reload} />
          <a className="btn btn--ghost" href={href.integrations()}>
            Back to integrations
          </a>
        </div>
      </div>
    );
  }

  if (!loaded.data) {
    return (
      <div className="page-loading">
        <Spinner size={20} /> Opening the designer…
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      <Designer id={id} integration={loaded.data.integration} draft={loaded.data.draft} workspaceObjects={objects.data ?? []} memberSystems={memberSystems.data ?? null} />
    </ReactFlowProvider>
  );
}

/** Edits to a graph of more steps than this reach its canvas and compile once typing pauses for SETTLE_MS. */
const SETTLE_STEPS = 100;
const SETTLE_MS = 150;

/**
 * `graph` as the canvas, the compile and the draft see it. A small one follows one render behind (React's
 * useDeferredValue); a big one (500 steps: 20 ms of compile and a canvas update per keystroke on a laptop, far more
 * on a loaded machine) when edits pause for SETTLE_MS, so a run of keystrokes paints each one at once.
 */
function useSettledGraph(graph: Graph): Graph {
  const deferred = useDeferredValue(graph);
  const big = graph.nodes.length > SETTLE_STEPS;
  const [settled, setSettled] = useState(graph);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(graph), big ? SETTLE_MS : 0);
    return () => window.clearTimeout(timer);
  }, [graph, big]);
  return big ? settled : deferred;
}

/** `graph`, or the last one kept when `graph` differs from it only in where steps are. */
function useIgnoringPositions(graph: Graph): Graph {
  const [kept, setKept] = useState(graph);
  const same = onlyPositionsDiffer(kept, graph);
  // Storing what the previous render saw, as React's docs show: the state update re-renders at once.
  if (!same) setKept(graph);
  return same ? kept : graph;
}

interface Baseline {
  name: string;
  graphJson: string;
  updatedAt: string | null;
}
interface Meta {
  publishedVersionNumber: number | null;
  hasUnpublishedChanges: boolean;
}

function Designer({ id, integration, draft, workspaceObjects, memberSystems }: { id: string; integration: Integration | null; draft: Draft | null; workspaceObjects: WorkspaceObject[]; memberSystems: readonly string[] | null }) {
  const canDesign = useCan('design');
  const rf = useReactFlow();
  const start = useMemo(() => (integration ? chooseStart(integration, draft) : { name: draft?.name ?? '', graph: draft!.graph, restored: true }), [integration, draft]);
  const [history, setHistory] = useState<History>(() => createHistory(start.graph));
  const [name, setName] = useState(start.name);
  const [baseline, setBaseline] = useState<Baseline | null>(() =>
    integration ? { name: integration.name, graphJson: canonicalJson(integration.graph), updatedAt: integration.updatedAt } : null,
  );
  const [meta, setMeta] = useState<Meta>({
    publishedVersionNumber: integration?.publishedVersionNumber ?? null,
    hasUnpublishedChanges: integration?.hasUnpublishedChanges ?? true,
  });
  const [notice, setNotice] = useState<'restored' | 'offline' | null>(integration ? (start.restored ? 'restored' : null) : 'offline');
  const [busy, setBusy] = useState<null | 'save' | 'publish' | 'run'>(null);
  const [choosingFiles, setChoosingFiles] = useState(false);
  const [testing, setTesting] = useState(false);
  const [serverProblems, setServerProblems] = useState<{ graph: Graph; diagnostics: Diagnostic[] } | null>(null);
  const [problemsOpen, setProblemsOpen] = useState(false);
  const [selection, setSelection] = useState<Selection>({ nodeIds: [], edgeIds: [] });
  const [focus, setFocus] = useState<{ nodeId: string; nonce: number; center?: boolean } | null>(null);
  // One clock for every preview while the designer is open, so TODAY() does not change under the user.
  const [previewNow] = useState(() => Date.now());
  const graph = history.graph;
  // The canvas, the live compile and the draft follow the graph a little behind: a keystroke in the inspector paints
  // first, and a big canvas and its compile catch up after it (useSettledGraph).
  const laterGraph = useSettledGraph(graph);
  // Moving a step changes nothing the compiler or the sample checks read: they keep their results across drags.
  const logicalGraph = useIgnoringPositions(laterGraph);

  // Live compile on every edit, in the browser, with what we know of the workspace.
  const ctx = useMemo<CompileContext>(() => ({ ...workspaceCompileContext(workspaceObjects), ...(memberSystems && { memberSystems }) }), [workspaceObjects, memberSystems]);
  const compiled = useMemo(() => compile(logicalGraph, ctx), [logicalGraph, ctx]);
  // Warnings from the sample rows (a text column mapped into a number): the compiler cannot see values.
  const sampleProblems = useSampleProblems(logicalGraph, compiled.schemas, previewNow);
  const diagnostics = useMemo(() => {
    const server = serverProblems && serverProblems.graph === laterGraph ? serverProblems.diagnostics : [];
    const sig = (d: Diagnostic) => `${d.code}|${d.nodeId ?? ''}|${d.path ?? ''}|${d.message}`;
    const local = new Set(compiled.diagnostics.map(sig));
    return [...compiled.diagnostics, ...sampleProblems, ...server.filter((d) => !local.has(sig(d)))];
  }, [compiled, sampleProblems, serverProblems, laterGraph]);

  const graphJson = useMemo(() => canonicalJson(laterGraph), [laterGraph]);
  const dirty = !baseline || baseline.name !== name || baseline.graphJson !== graphJson;

  // Every change lands in IndexedDB first; a clean state clears the draft.
  useEffect(() => {
    const store = drafts();
    const write = dirty ? store.save({ integrationId: id, name, graph: laterGraph, baseUpdatedAt: baseline?.updatedAt ?? null }) : store.remove(id);
    write.catch(() => undefined);
  }, [id, name, laterGraph, dirty, baseline?.updatedAt]);

  const apply = useCallback((ops: GraphOp[], mergeKey?: string) => {
    setHistory((h) => commit(h, ops, mergeKey ? { mergeKey } : {}));
  }, []);

  const graphRef = useRef(graph);
  graphRef.current = graph;
  const addNode = useCallback((kind: string, position: { x: number; y: number }, connectFrom?: string, config?: Record<string, unknown> | null) => {
    const op = addNodeOp(graphRef.current, kind, position);
    if (!op || op.type !== 'addNode') return;
    if (config) {
      op.node.config = config;
      const label = defaultStepName({ kind, config });
      if (label) op.node.label = label;
    }
    const ops: GraphOp[] = [op];
    if (connectFrom) ops.push({ type: 'connect', edge: { id: edgeId(connectFrom, op.node.id), source: connectFrom, target: op.node.id, sourceHandle: null, targetHandle: null } });
    setHistory((h) => commit(h, ops));
    setFocus({ nodeId: op.node.id, nonce: Date.now() });
  }, []);

  const selectedNode = selection.nodeIds.length === 1 ? (graph.nodes.find((n) => n.id === selection.nodeIds[0]) ?? null) : null;

  // The side panel: open on a wide screen, closed on a narrow one; it steps aside (with no step selected) when the
  // whole flow does not fit beside it at a readable zoom, opens when a step is selected, and stays as the person
  // leaves it. The canvas re-fits when it opens or closes.
  const wideScreen = useMediaQuery(WIDE_SCREEN);
  const [panelChoice, setPanelChoice] = useState<boolean | null>(null);
  const selectedId = selectedNode?.id ?? null;
  useEffect(() => {
    if (selectedId) setPanelChoice(true);
  }, [selectedId]);
  const panelOpen = panelChoice ?? wideScreen;
  const latestSelection = useRef(selection);
  latestSelection.current = selection;

  /** Click in the palette: place the step after the selected (or last) step and connect it when that makes sense. */
  const addFromPalette = useCallback(
    (kind: string) => {
      const def = getKind(kind);
      const anchor = selectedNode ?? graph.nodes[graph.nodes.length - 1] ?? null;
      let position: { x: number; y: number };
      if (anchor) position = { x: anchor.position.x + NODE_WIDTH + 64, y: anchor.position.y };
      else {
        const el = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
        const center = el ? rf.screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 }) : { x: 0, y: 0 };
        position = { x: center.x - NODE_WIDTH / 2, y: center.y - 40 };
      }
      position = freeSpot(graph, position, { width: NODE_WIDTH, height: NODE_HEIGHT });
      const anchorKind = anchor ? getKind(anchor.kind) : undefined;
      const canChain = anchor && anchorKind?.outputs && def?.inputs && !graph.edges.some((e) => e.source === anchor.id);
      // Chained after a step, it starts with the obvious next action done (every field mapped, the object named).
      addNode(kind, position, canChain ? anchor.id : undefined, canChain ? chainedConfig(kind, graph, anchor.id, compiled.schemas[anchor.id] ?? null) : null);
      // Bring the new step into view only when it landed outside it.
      const el = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
      if (el) {
        const a = rf.flowToScreenPosition(position);
        const b = rf.flowToScreenPosition({ x: position.x + NODE_WIDTH, y: position.y + 80 });
        if (a.x < el.left || a.y < el.top || b.x > el.right || b.y > el.bottom) {
          window.setTimeout(() => void rf.fitView({ ...FIT_OPTIONS, duration: 250 }), 50);
        }
      }
    },
    [addNode, graph, rf, selectedNode, compiled.schemas],
  );

  const focusNode = useCallback((nodeId: string) => setFocus({ nodeId, nonce: Date.now(), center: true }), []);
  // The flow comes first: with no step selected, the side panel steps aside so every step can be seen.
  const onCannotFit = useCallback(() => {
    if (latestSelection.current.nodeIds.length === 0) setPanelChoice(false);
  }, []);
  // Made once per state it shows, so the (memoized) canvas does not re-render for every keystroke in the inspector.
  const hasSelectedNode = selectedNode !== null;
  const panelToggle = useMemo(
    () => (
      <button
        type="button"
        className="btn btn--secondary btn--sm panel-toggle"
        aria-expanded={panelOpen}
        aria-controls="designer-panel"
        onClick={() => setPanelChoice(!panelOpen)}
        data-testid="panel-toggle"
      >
        {panelOpen ? (
          <>
            Hide panel <IconChevronRight size={14} />
          </>
        ) : (
          <>
            <IconChevronLeft size={14} /> {hasSelectedNode ? 'Step settings' : 'Integration settings'}
          </>
        )}
      </button>
    ),
    [panelOpen, hasSelectedNode],
  );

  async function save(): Promise<Integration | null> {
    const sentName = name.trim() || 'Untitled integration';
    const sentGraph = graph;
    setBusy('save');
    try {
      const saved = await api.updateIntegration(id, { name: sentName, graph: sentGraph });
      setBaseline({ name: sentName, graphJson: canonicalJson(sentGraph), updatedAt: saved.updatedAt });
      if (sentName !== name) setName(sentName);
      setMeta({ publishedVersionNumber: saved.publishedVersionNumber, hasUnpublishedChanges: saved.hasUnpublishedChanges });
      setNotice(null);
      return saved;
    } catch (e) {
      toast(`Not saved: ${errorMessage(e)}`, 'error');
      return null;
    } finally {
      setBusy(null);
    }
  }

  async function publish(): Promise<number | null> {
    if (dirty && !(await save())) return null;
    setBusy('publish');
    try {
      const result = await api.publish(id);
      setMeta({ publishedVersionNumber: result.version.number, hasUnpublishedChanges: false });
      setServerProblems(null);
      toast(`Published version ${result.version.number}`, 'success');
      return result.version.number;
    } catch (e) {
      if (e instanceof ApiRequestError && e.diagnostics.length > 0) {
        setServerProblems({ graph, diagnostics: e.diagnostics });
        setProblemsOpen(true);
      }
      toast(errorMessage(e), 'error');
      return null;
    } finally {
      setBusy(null);
    }
  }

  /** Saves and publishes what is on the canvas, so a run runs what the person sees; false when that failed. */
  async function readyToRun(): Promise<boolean> {
    let m = meta;
    if (dirty) {
      const saved = await save();
      if (!saved) return false;
      m = { publishedVersionNumber: saved.publishedVersionNumber, hasUnpublishedChanges: saved.hasUnpublishedChanges };
    }
    if (m.publishedVersionNumber === null || m.hasUnpublishedChanges) {
      if ((await publish()) === null) return false;
    }
    return true;
  }

  async function runWithFiles() {
    if (await readyToRun()) setChoosingFiles(true);
  }

  async function run() {
    if (!(await readyToRun())) return;
    setBusy('run');
    try {
      const { runId } = await api.startRun(id);
      navigate(href.run(runId));
    } catch (e) {
      toast(errorMessage(e), 'error');
      setBusy(null);
    }
  }

  // Keyboard: undo/redo, delete, save. Ignored while typing in a field.
  const latest = useRef({ selection, save, graph });
  latest.current = { selection, save, graph };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.metaKey || e.ctrlKey;
      const key = e.key.toLowerCase();
      if (mod && key === 's') {
        e.preventDefault();
        void latest.current.save();
        return;
      }
      const t = e.target as HTMLElement | null;
      // Monaco types into a div (EditContext) or a textarea; its keys are its own.
      if (t?.closest('input, textarea, select, [contenteditable="true"], .monaco-editor')) return;
      if (mod && key === 'z') {
        e.preventDefault();
        setHistory((h) => (e.shiftKey ? redo(h) : undo(h)));
      } else if (mod && key === 'y') {
        e.preventDefault();
        setHistory(redo);
      } else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) {
        // Only where the selection is: on the canvas (or nowhere in particular). A focused palette button, toolbar
        // button or inspector control plus Delete must not delete the selected step.
        if (t && t !== document.body && !t.closest('.react-flow')) return;
        const { selection: sel, graph: g } = latest.current;
        const ops = deleteSelectionOps(g, sel.nodeIds, sel.edgeIds);
        if (ops.length > 0) {
          e.preventDefault();
          setHistory((h) => commit(h, ops));
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Leaving with unsaved changes asks first: links inside Weft (the sidebar, breadcrumbs, Run history) are caught
  // before the route changes; closing or reloading the tab gets the browser's own prompt.
  const leaving = useRef({ dirty, save, asking: false });
  leaving.current.dirty = dirty && canDesign;
  leaving.current.save = save;
  useEffect(() => {
    const onClick = (e: MouseEvent) => {
      if (!leaving.current.dirty || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as HTMLElement | null)?.closest?.('a[href^="#"]');
      const to = a?.getAttribute('href');
      if (!to || to === window.location.hash || a?.hasAttribute('download')) return;
      e.preventDefault();
      if (leaving.current.asking) return;
      leaving.current.asking = true;
      void askDialog({
        title: 'Save your changes?',
        message: 'This integration has changes that are not saved. Save them before you leave, or leave them (they stay on this device as a draft).',
        confirmLabel: 'Save and leave',
        alternativeLabel: 'Leave without saving',
      }).then(async (answer) => {
        leaving.current.asking = false;
        if (answer === 'cancel') return;
        if (answer === 'confirm' && !(await leaving.current.save())) return;
        navigate(to);
      });
    };
    const onUnload = (e: BeforeUnloadEvent) => {
      if (leaving.current.dirty) e.preventDefault();
    };
    document.addEventListener('click', onClick, true);
    window.addEventListener('beforeunload', onUnload);
    return () => {
      document.removeEventListener('click', onClick, true);
      window.removeEventListener('beforeunload', onUnload);
    };
  }, []);

  const status =
    busy === 'save'
      ? 'Saving…'
      : dirty
        ? 'Unsaved changes'
        : meta.publishedVersionNumber !== null && !meta.hasUnpublishedChanges
          ? `Published v${meta.publishedVersionNumber}`
          : 'Saved';
  const statusHint = !dirty && meta.publishedVersionNumber !== null && meta.hasUnpublishedChanges ? `v${meta.publishedVersionNumber} is live · publish to update` : !dirty && meta.publishedVersionNumber === null ? 'not published yet' : null;
  const errorCount = diagnostics.filter((d) => d.severity === 'error').length;

  return (
    <div className="designer-page">
      <header className="topbar topbar--designer">
        <div className="topbar__heading">
          <h1 className="sr-only" data-testid="designer-heading">
            Designer: {name.trim() || 'Untitled integration'}
          </h1>
          <div className="topbar__crumbs">
            <a href={href.integrations()}>Integrations</a>
            <span className="crumb-sep">/</span>
            {integration ? (
              <DescriptionEditor
                id={id}
                initial={integration.description}
                canEdit={canDesign}
                onSaved={(saved) => setBaseline((b) => (b ? { ...b, updatedAt: saved.updatedAt } : b))}
              />
            ) : null}
          </div>
          <div className="topbar__title-row">
            <input
              className="title-input"
              value={name}
              onChange={(e) => setName(e.target.value)}
              onBlur={() => !name.trim() && setName(baseline?.name || 'Untitled integration')}
              aria-label="Integration name"
              title={name}
              maxLength={120}
              size={Math.max(12, Math.min(40, name.length + 1))}
              autoFocus={start.graph.nodes.length === 0 && start.name === 'Untitled integration'}
              onFocus={(e) => e.currentTarget.select()}
              data-testid="integration-name"
            />
            <span className={`save-status${dirty ? ' save-status--dirty' : ''}`}>
              <span className="save-status__dot" />
              <span data-testid="save-status">{status}</span>
              {statusHint ? <span className="muted"> · {statusHint}</span> : null}
            </span>
          </div>
        </div>
        <div className="topbar__actions">
          <ProblemsButton diagnostics={diagnostics} graph={graph} open={problemsOpen} onOpenChange={setProblemsOpen} onFocusNode={focusNode} />
          <div className="btn-group">
            <button type="button" className="icon-btn" aria-label="Undo" title="Undo (Ctrl+Z)" disabled={!canUndo(history)} onClick={() => setHistory(undo)} data-testid="undo">
              <IconUndo />
            </button>
            <button type="button" className="icon-btn" aria-label="Redo" title="Redo (Ctrl+Shift+Z)" disabled={!canRedo(history)} onClick={() => setHistory(redo)} data-testid="redo">
              <IconRedo />
            </button>
          </div>
          {canDesign ? (
            <button type="button" className="btn btn--ghost" onClick={() => setTesting(true)} title="Follow one source record through every step, without writing" data-testid="test-record">
              <IconSearch size={15} /> <span className="label-wide">Test a record</span>
            </button>
          ) : null}
          {testing ? <TestRecordDialog integrationId={id} graph={graph} onClose={() => setTesting(false)} /> : null}
          <a className="btn btn--ghost" href={href.history(id)} title="Run history" data-testid="history-link">
            <IconHistory size={15} /> <span className="label-wide">Run history</span>
          </a>
          {canDesign ? (
            <>
            {/* aria-disabled, not disabled: a disabled button drops its focus to the page body right after Save. */}
            <button
              type="button"
              className="btn btn--secondary"
              onClick={() => busy === null && dirty && void save()}
              aria-disabled={busy !== null || !dirty}
              data-testid="save"
            >
              {busy === 'save' ? <Spinner /> : null}
              Save
            </button>
            <button
              type="button"
              className="btn btn--secondary"
              onClick={() => busy === null && void publish()}
              aria-disabled={busy !== null}
              title={errorCount > 0 ? `Fix ${errorCount} ${errorCount === 1 ? 'problem' : 'problems'} first` : 'Make this the version that runs'}
              data-testid="publish"
            >
              {busy === 'publish' ? <Spinner /> : null}
              Publish
            </button>
            </>
          ) : (
            <span className="chip" title="Your role can read this integration but not change or publish it" data-testid="read-only">
              Read only
            </span>
          )}
          <RunMenu
            label="Run"
            variant="primary"
            testId="run"
            onRun={() => void run()}
            onRunWithFiles={() => void runWithFiles()}
            disabled={busy !== null && busy !== 'run'}
            busy={busy === 'run'}
            title={dirty || meta.hasUnpublishedChanges ? 'Saves and publishes your changes, then runs' : 'Run the published version'}
          />
          {choosingFiles ? (
            <RunDialog
              integrationId={id}
              integrationName={name}
              versionNumber={meta.publishedVersionNumber}
              onClose={() => setChoosingFiles(false)}
              onStarted={(runId) => navigate(href.run(runId))}
            />
          ) : null}
        </div>
      </header>
      {notice ? (
        <div className={`banner banner--${notice === 'offline' ? 'warn' : 'info'} banner--flush`} data-testid="draft-notice">
          <span>
            {notice === 'restored'
              ? 'Restored your unsaved draft from this device.'
              : 'The server is not reachable. You are editing the copy saved on this device; Save when you are back online.'}
          </span>
          {notice === 'restored' && integration ? (
            <button
              type="button"
              className="btn btn--ghost btn--sm"
              onClick={() => {
                setHistory(createHistory(integration.graph));
                setName(integration.name);
                setNotice(null);
              }}
            >
              Discard draft
            </button>
          ) : null}
          <button type="button" className="btn btn--ghost btn--sm" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      <div className={`designer${panelOpen ? '' : ' designer--panel-closed'}`}>
        <Palette onAdd={addFromPalette} />
        <button
          type="button"
          className="skip-link"
          onClick={() => {
            setPanelChoice(true);
            requestAnimationFrame(() =>
              document.querySelector<HTMLElement>('[data-testid="inspector"] :is(input, select, textarea, button, a[href], [tabindex="0"]):not([disabled])')?.focus(),
            );
          }}
          data-testid="skip-canvas"
        >
          Skip past the canvas to the step settings
        </button>
        <Canvas graph={laterGraph} diagnostics={diagnostics} onOps={apply} onDropKind={addNode} onSelection={setSelection} focus={focus} onCannotFit={onCannotFit}>
          {panelToggle}
        </Canvas>
        <div id="designer-panel" className="designer__panel">
        <Inspector
          integrationId={id}
          graph={graph}
          node={selectedNode}
          diagnostics={diagnostics}
          schemas={compiled.schemas}
          workspaceObjects={workspaceObjects}
          onConfig={(nodeId, config, mergeKey) => {
            const node = graphRef.current.nodes.find((n) => n.id === nodeId);
            apply(node ? configChangeOps(node, config) : [{ type: 'updateConfig', id: nodeId, config }], mergeKey);
          }}
          onRename={(nodeId, label) => apply([{ type: 'renameNode', id: nodeId, label }], `${nodeId}:label`)}
          onDelete={(nodeId) => apply([{ type: 'removeNodes', ids: [nodeId] }])}
          onFocusNode={focusNode}
          onValueMaps={(valueMaps, mergeKey) => apply([{ type: 'setValueMaps', valueMaps }], mergeKey)}
          onSettings={(settings, mergeKey) => apply([{ type: 'setSettings', settings }], mergeKey)}
          onParameters={(parameters, mergeKey) => apply([{ type: 'setParameters', parameters }], mergeKey)}
          previewNow={previewNow}
        />
        </div>
      </div>
    </div>
  );
}
