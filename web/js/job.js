// A background job (training a model, enrolling a verifier) followed on a page: its card (#job-card with
// #job-id, #job-name, #job-status, #job-progress, #job-bar, #job-step, #job-cancel) is updated by polling
// /jobs/{id} until the job ends, and Cancel asks the server to stop it.
import { api, $, clear, badge, fmt, int, showAlert, showError } from './common.js';

const POLL_MS = 300;
const STATUS_KIND = { queued: 'secondary', running: 'primary', done: 'success', failed: 'danger', cancelled: 'warning' };

export function stepText(job) {
  switch (job.step) {
    case 'download': return job.total ? `download page ${job.done} of ${job.total}` : `download page ${job.done}`;
    case 'training': return `training round ${job.done} of ${job.total}`;
    case 'enrolling': return `enrolling user ${int(job.done + 1)} of ${int(job.total)}`;
    case 'scoring': return 'scoring the holdout';
    case 'reading the store': return 'reading the store';
    default:  // the neural models: "epoch 3: loss 0.52, validation accuracy 0.88"
      return job.step.startsWith('epoch ') ? `${job.step} (at most ${job.total} epochs)` : job.step;
  }
}

// What a job's card says when it has finished well.
function doneText(job) {
  const r = job.result;
  if (job.kind === 'enroll') {
    return `done: ${int(r.n_enrolled)} users enrolled on ${int(r.n_train)} attempts in ${fmt(r.seconds, 2)} s, ` +
      `${int(r.n_holdout)} held out`;
  }
  return `done: ${int(r.n_train)} attempts trained in ${fmt(r.fit_seconds, 2)} s, ${int(r.n_holdout)} held out`;
}

// kind: 'train' or 'enroll'; alert: the element errors go to; submit: the button disabled while a job runs;
// onDone(result) when it ends well; failTitle and cancelledText for the other ends.
export function jobTracker({ kind, alert, submit, onDone, failTitle, cancelledText }) {
  let jobId = null;
  let timer = null;

  function show(job) {
    $('#job-card').hidden = false;
    $('#job-id').textContent = `#${job.id}`;
    const what = job.kind === 'enroll' ? job.request?.type : job.request?.model;
    $('#job-name').textContent = `${what ?? ''} “${job.request?.name ?? ''}”`;
    clear($('#job-status')).append(badge(job.status, STATUS_KIND[job.status] || 'secondary', { id: 'job-status-badge' }));
    const percent = Math.max(0, Math.min(100, Math.round(job.percent ?? 0)));
    const bar = $('#job-bar');
    $('#job-progress').setAttribute('aria-valuenow', String(percent));
    bar.style.width = `${percent}%`;
    bar.textContent = `${percent}%`;
    const active = job.status === 'queued' || job.status === 'running';
    bar.classList.toggle('progress-bar-animated', active);
    bar.classList.toggle('progress-bar-striped', active);
    bar.classList.toggle('bg-success', job.status === 'done');
    bar.classList.toggle('bg-danger', job.status === 'failed');
    bar.classList.toggle('bg-warning', job.status === 'cancelled');
    $('#job-step').textContent = job.status === 'done' && job.result ? doneText(job) : stepText(job);
    $('#job-cancel').hidden = !active;
  }

  async function poll() {
    timer = null;
    if (jobId === null) return;
    let job;
    try {
      job = await api('GET', `/jobs/${encodeURIComponent(jobId)}`);
    } catch (e) {
      showError(alert, e, 'Following the job');
      return;
    }
    show(job);
    if (job.status === 'queued' || job.status === 'running') {
      timer = setTimeout(poll, POLL_MS);
      return;
    }
    submit.disabled = false;
    if (job.status === 'done' && job.result) onDone(job.result);
    else if (job.status === 'failed') showAlert(alert, 'danger', job.error || 'the job failed', failTitle);
    else if (job.status === 'cancelled') showAlert(alert, 'warning', cancelledText, 'Cancelled.');
  }

  function follow(job) {
    jobId = job.id;
    if (timer) clearTimeout(timer);
    show(job);
    submit.disabled = true;
    timer = setTimeout(poll, POLL_MS);
  }

  $('#job-cancel').addEventListener('click', async () => {
    if (jobId === null) return;
    try {
      show(await api('POST', `/jobs/${encodeURIComponent(jobId)}/cancel`));
    } catch (e) {
      showError(alert, e, 'Cancel');
    }
  });

  return {
    follow,
    following: () => jobId !== null && timer !== null,
    // Hides the card of a job that has ended, so that it is not read as the outcome of a new submission
    // that is refused before any job starts (a name in use, a bad parameter).
    forget() {
      if (timer !== null) return;
      jobId = null;
      $('#job-card').hidden = true;
    },
    // A job of this kind still running (the page was reloaded): follow it again.
    async resume() {
      try {
        const jobs = await api('GET', '/jobs');
        const active = jobs.find((j) => j.kind === kind && (j.status === 'running' || j.status === 'queued'));
        if (active) follow(active);
      } catch { /* not essential */ }
    },
  };
}
