// A real Jupyter front end for the notebook tests: JupyterLab from the git-ignored virtual
// environment .ci/run installs (.venv-jupyterlab/), else Debian's classic Notebook, served on
// loopback with a token, driven by headless Chromium through playwright-core.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";

const ROOT = resolve(__dirname, "..", "..");

/** Which front end runs the checks, and why (said in the test output). */
export interface Frontend {
  kind: "jupyterlab" | "notebook";
  python: string;
  /** One line for the test output: what runs, and why not JupyterLab when it is not. */
  why: string;
}

/** A figure output as the browser shows it. */
export interface DrawnFigure {
  /** plotly.js drew it (interactive: svg.main-svg with traces or heatmap images). */
  interactive: boolean;
  /** Its static image is loaded (naturalWidth > 0). */
  staticImage: boolean;
}

/** The Python of `.venv-jupyterlab` (or `$SOUNDCHECK_JUPYTERLAB_PYTHON`) if JupyterLab imports there. */
export function findFrontend(): Frontend | null {
  const lab = process.env["SOUNDCHECK_JUPYTERLAB_PYTHON"] ?? join(ROOT, ".venv-jupyterlab", "bin", "python");
  const version = (python: string, module: string) => {
    if (!existsSync(python)) return null;
    const r = spawnSync(python, ["-c", `import ${module}; print(${module}.__version__)`], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const labVersion = version(lab, "jupyterlab");
  if (labVersion !== null) return { kind: "jupyterlab", python: lab, why: `JupyterLab ${labVersion} (${lab})` };
  const classic = version("/usr/bin/python3", "notebook");
  if (classic !== null) {
    return {
      kind: "notebook",
      python: "/usr/bin/python3",
      why: `JupyterLab is NOT installed (${lab} missing or without jupyterlab; .ci/run installs it): checking in Debian's classic Notebook ${classic} instead, which sanitises untrusted outputs the same way`,
    };
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** A running Jupyter server on loopback, serving `root` (which holds notebooks/, and dist + node_modules links). */
export class JupyterServer {
  private constructor(
    readonly frontend: Frontend,
    readonly root: string,
    readonly url: string,
    readonly token: string,
    private readonly child: ChildProcess,
    readonly log: () => string,
  ) {}

  /**
   * Lay out `work` (notebooks/ copied from the project, dist and node_modules linked so the
   * notebooks' `../dist/` imports resolve), register the project's tslab kernel privately, and
   * start the server with `env` (e.g. SOUNDCHECK_NOTEBOOK_OUT).
   */
  static async start(
    frontend: Frontend,
    work: string,
    notebooks: string[],
    env: NodeJS.ProcessEnv,
    kernels = true,
  ): Promise<JupyterServer> {
    const root = join(work, "root");
    mkdirSync(join(root, "notebooks"), { recursive: true });
    for (const link of ["dist", "node_modules"])
      if (!existsSync(join(root, link))) symlinkSync(join(ROOT, link), join(root, link));
    for (const nb of notebooks) copyFileSync(join(ROOT, "notebooks", nb), join(root, "notebooks", nb));
    const jupyterPath = join(work, "jupyter-path");
    const { writeKernelSpec } = (await import(join(ROOT, "scripts", "kernelspec.mjs"))) as {
      writeKernelSpec: (dir: string) => string;
    };
    mkdirSync(jupyterPath, { recursive: true });
    // without the kernel, a server only shows notebooks (opening one starts nothing: less CPU)
    if (kernels) writeKernelSpec(join(jupyterPath, "kernels"));
    for (const d of ["config", "data", "runtime", "settings", "workspaces"])
      mkdirSync(join(work, d), { recursive: true });
    // no news toast over the notebook, no network fetches of announcements
    mkdirSync(join(work, "settings", "@jupyterlab", "apputils-extension"), { recursive: true });
    writeFileSync(
      join(work, "settings", "@jupyterlab", "apputils-extension", "notification.jupyterlab-settings"),
      JSON.stringify({ fetchNews: "false", checkForUpdates: false }),
    );
    const port = await freePort();
    const token = randomBytes(16).toString("hex");
    const common = [
      "--no-browser",
      "--allow-root",
      "--ServerApp.ip=127.0.0.1",
      `--ServerApp.port=${port}`,
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${root}`,
    ];
    const args =
      frontend.kind === "jupyterlab"
        ? [
            "-m",
            "jupyterlab",
            ...common,
            "--LabApp.expose_app_in_browser=True",
            `--LabApp.user_settings_dir=${join(work, "settings")}`,
            `--LabApp.workspaces_dir=${join(work, "workspaces")}`,
          ]
        : [
            "-m",
            "notebook",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            `--port=${port}`,
            `--NotebookApp.token=${token}`,
            `--notebook-dir=${root}`,
          ];
    let log = "";
    const child = spawn(frontend.python, args, {
      env: {
        ...env,
        JUPYTER_PATH: jupyterPath,
        JUPYTER_CONFIG_DIR: join(work, "config"),
        JUPYTER_DATA_DIR: join(work, "data"),
        JUPYTER_RUNTIME_DIR: join(work, "runtime"),
        PYDEVD_DISABLE_FILE_VALIDATION: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (b: Buffer) => (log += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (log += b.toString()));
    const url = `http://127.0.0.1:${port}`;
    const server = new JupyterServer(frontend, root, url, token, child, () => log);
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${frontend.kind} exited (${child.exitCode}):\n${log}`);
      try {
        const r = await fetch(`${url}/api/status?token=${token}`);
        if (r.ok) return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`${frontend.kind} did not answer on ${url} within 90 s:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Shut down every kernel (frees the CPU between notebooks). */
  async shutdownKernels(): Promise<void> {
    const r = await fetch(`${this.url}/api/kernels?token=${this.token}`);
    const kernels = (await r.json()) as Array<{ id: string }>;
    await Promise.all(
      kernels.map((k) => fetch(`${this.url}/api/kernels/${k.id}?token=${this.token}`, { method: "DELETE" })),
    );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((done) => this.child.once("exit", done));
    this.child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }

  /** Open `notebooks/<name>` in a new page and wait until it is shown with its kernel. */
  async open(browser: Browser, name: string, withKernel = true): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort()); // offline, as on the build machines
    if (this.frontend.kind === "jupyterlab") {
      // ?reset: a fresh workspace, so only this notebook is open
      await page.goto(`${this.url}/lab/tree/notebooks/${name}?reset&token=${this.token}`);
      await page.waitForFunction(
        ({ path, withKernel }) => {
          type Panel = {
            context?: { isReady: boolean; path: string };
            sessionContext?: { session?: { kernel?: unknown } };
            node: HTMLElement;
          };
          const nb = (window as unknown as { jupyterapp?: { shell: { currentWidget: Panel | null } } }).jupyterapp
            ?.shell.currentWidget;
          return (
            nb?.context?.isReady === true &&
            nb.context.path === path &&
            (!withKernel || nb.sessionContext?.session?.kernel != null) &&
            nb.node.querySelector(".jp-Cell") !== null
          );
        },
        { path: `notebooks/${name}`, withKernel },
        { timeout: 120_000 },
      );
      // a server without the kernel asks which to start: none
      if (!withKernel)
        await page
          .locator(".jp-Dialog button", { hasText: "No Kernel" })
          .click({ timeout: 15_000 })
          .catch(() => undefined);
    } else {
      await page.goto(`${this.url}/notebooks/notebooks/${name}?token=${this.token}`);
      await page.waitForFunction(
        (withKernel) => {
          const j = (
            window as unknown as {
              Jupyter?: { notebook?: { _fully_loaded?: boolean; kernel?: { is_connected(): boolean } | null } };
            }
          ).Jupyter;
          return j?.notebook?._fully_loaded === true && (!withKernel || j.notebook.kernel?.is_connected() === true);
        },
        withKernel,
        { timeout: 120_000 },
      );
      if (!withKernel)
        await page
          .locator(".modal-dialog button", { hasText: "Continue Without Kernel" })
          .click({ timeout: 15_000 })
          .catch(() => undefined);
    }
    return page;
  }

  /**
   * Run every cell of the open notebook and wait until the last one finished; throws with the
   * text of the first stderr output (tslab reports errors there, and skips the cells after).
   */
  async runAll(page: Page, timeoutMs: number): Promise<void> {
    const lab = this.frontend.kind === "jupyterlab";
    if (lab) {
      await page.evaluate(() =>
        (
          window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }
        ).jupyterapp.commands.execute("notebook:run-all-cells"),
      );
    } else {
      await page.evaluate(() =>
        (
          window as unknown as { Jupyter: { notebook: { execute_all_cells(): void } } }
        ).Jupyter.notebook.execute_all_cells(),
      );
    }
    const prompts = lab ? ".jp-Notebook .jp-CodeCell .jp-InputPrompt" : ".code_cell .input_prompt";
    const stderr = lab ? '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]' : ".output_stderr";
    // plain JavaScript, evaluated in the page: done when every code cell has its execution count, or one wrote to stderr
    await page.waitForFunction(
      `(() => { if (document.querySelector(${JSON.stringify(stderr)})) return true; const p = Array.from(document.querySelectorAll(${JSON.stringify(prompts)})); return p.length > 0 && p.every((e) => /\\[\\d+\\]/.test(e.textContent || "")); })()`,
      null,
      { timeout: timeoutMs, polling: 500 },
    );
    const error = (await page.evaluate(
      `(() => { const e = document.querySelector(${JSON.stringify(stderr)}); return e ? e.textContent : null; })()`,
    )) as string | null;
    if (error !== null) throw new Error(`a cell failed in ${this.frontend.kind}:\n${error.slice(0, 2000)}`);
  }

  /** Save the open notebook. */
  async save(page: Page): Promise<void> {
    if (this.frontend.kind === "jupyterlab") {
      await page.evaluate(() =>
        (
          window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }
        ).jupyterapp.commands.execute("docmanager:save"),
      );
    } else {
      await page.evaluate(() =>
        (
          window as unknown as { Jupyter: { notebook: { save_notebook(): Promise<unknown> } } }
        ).Jupyter.notebook.save_notebook(),
      );
    }
  }

  /** Whether the front end treats the open notebook's code cells as trusted (scripts run). */
  async trusted(page: Page): Promise<boolean> {
    if (this.frontend.kind === "jupyterlab") {
      return page.evaluate(() => {
        const nb = (
          window as unknown as {
            jupyterapp: {
              shell: { currentWidget: { content: { model: { cells: Iterable<{ type: string; trusted: boolean }> } } } };
            };
          }
        ).jupyterapp.shell.currentWidget;
        return Array.from(nb.content.model.cells)
          .filter((c) => c.type === "code")
          .every((c) => c.trusted);
      });
    }
    return page.evaluate(
      () => (window as unknown as { Jupyter: { notebook: { trusted: boolean } } }).Jupyter.notebook.trusted,
    );
  }

  /**
   * The figure outputs on the page, in order, once `expected` of them are drawn (or after
   * `timeoutMs`): a figure output is an output holding a `.soundcheck-figure` element. With
   * `interactiveOnly`, waits until plotly.js drew each (a trusted notebook shows the static image
   * first, until its script runs).
   */
  async figures(page: Page, expected: number, timeoutMs = 60_000, interactiveOnly = false): Promise<DrawnFigure[]> {
    const outputSelector = this.frontend.kind === "jupyterlab" ? ".jp-OutputArea-output" : ".output_subarea";
    // plain JavaScript (not a compiled function), evaluated in the page
    const probe =
      `Array.from((window.jupyterapp ? window.jupyterapp.shell.currentWidget.node : document).querySelectorAll(${JSON.stringify(outputSelector)}))` +
      `.filter((o) => o.querySelector(".soundcheck-figure") !== null)` +
      `.map((o) => ({ interactive: o.querySelector("svg.main-svg .trace, svg.main-svg image") !== null,` +
      ` staticImage: Array.from(o.querySelectorAll("img")).some((i) => i.complete && i.naturalWidth > 0 && /^data:image\\/(svg\\+xml|png)/.test(i.src)) }))`;
    await page
      .waitForFunction(
        `(() => { const d = ${probe}; return d.length >= ${expected} && d.every((f) => f.interactive || (${!interactiveOnly} && f.staticImage)); })()`,
        null,
        { timeout: timeoutMs, polling: 500 },
      )
      .catch(() => undefined);
    return (await page.evaluate(probe)) as DrawnFigure[];
  }
}

/** Figure outputs (plotly JSON) in a saved notebook file. */
export function figureOutputsIn(path: string): number {
  const nb = JSON.parse(readFileSync(path, "utf8")) as {
    cells: Array<{ outputs?: Array<{ data?: Record<string, unknown> }> }>;
  };
  return nb.cells
    .flatMap((c) => c.outputs ?? [])
    .filter((o) => o.data?.["application/vnd.plotly.v1+json"] !== undefined).length;
}
