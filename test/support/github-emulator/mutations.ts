// State changes shared by the REST routes and the emulator's test helpers (a person's actions).
import {
  type EmComment,
  type EmIssue,
  type EmIssueEvent,
  type EmLabel,
  type EmRepo,
  type EmulatorState,
  findLabel,
} from './state.js';

export function nextNumber(repo: EmRepo): number {
  repo.lastNumber += 1;
  return repo.lastNumber;
}

export function issueOf(repo: EmRepo, number: number): EmIssue | undefined {
  return repo.issues.get(number);
}

export function createIssue(
  state: EmulatorState,
  repo: EmRepo,
  input: {
    title: string;
    body?: string | null;
    labels?: string[];
    author: string;
    isPull?: boolean;
  },
): EmIssue {
  const now = Date.now();
  const issue: EmIssue = {
    id: state.nextId(),
    number: nextNumber(repo),
    title: input.title,
    body: input.body ?? null,
    state: 'open',
    labels: [],
    author: input.author,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    isPull: input.isPull ?? false,
  };
  repo.issues.set(issue.number, issue);
  if (input.labels?.length) addLabels(state, repo, issue, input.labels, input.author);
  return issue;
}

export function ensureLabel(
  state: EmulatorState,
  repo: EmRepo,
  name: string,
  color = 'ededed',
  description: string | null = null,
): EmLabel {
  const found = findLabel(repo, name);
  if (found) return found;
  const label: EmLabel = { id: state.nextId(), name, color, description };
  repo.labels.push(label);
  return label;
}

function recordEvent(
  state: EmulatorState,
  repo: EmRepo,
  event: Omit<EmIssueEvent, 'id' | 'createdAt'>,
): void {
  repo.events.push({ ...event, id: state.nextId(), createdAt: Date.now() });
}

export function addLabels(
  state: EmulatorState,
  repo: EmRepo,
  issue: EmIssue,
  names: string[],
  actor: string,
): void {
  for (const name of names) {
    const label = ensureLabel(state, repo, name);
    if (issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) continue;
    issue.labels.push(label.name);
    recordEvent(state, repo, { number: issue.number, event: 'labeled', actor, label: label.name });
  }
  issue.updatedAt = Date.now();
}

/** False when the label was not on the issue. */
export function removeLabel(
  state: EmulatorState,
  repo: EmRepo,
  issue: EmIssue,
  name: string,
  actor: string,
): boolean {
  const index = issue.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
  if (index < 0) return false;
  const [removed] = issue.labels.splice(index, 1);
  recordEvent(state, repo, {
    number: issue.number,
    event: 'unlabeled',
    actor,
    label: removed ?? name,
  });
  issue.updatedAt = Date.now();
  return true;
}

export function setIssueState(
  state: EmulatorState,
  repo: EmRepo,
  issue: EmIssue,
  next: 'open' | 'closed',
  actor: string,
): void {
  if (issue.state === next) return;
  issue.state = next;
  issue.closedAt = next === 'closed' ? Date.now() : null;
  issue.updatedAt = Date.now();
  const event = next === 'closed' ? 'closed' : 'reopened';
  recordEvent(state, repo, { number: issue.number, event, actor, label: null });
}

export function addComment(
  state: EmulatorState,
  repo: EmRepo,
  issue: EmIssue,
  body: string,
  author: string,
): EmComment {
  const now = Date.now();
  const comment: EmComment = {
    id: state.nextId(),
    number: issue.number,
    body,
    author,
    createdAt: now,
    updatedAt: now,
  };
  repo.comments.push(comment);
  issue.updatedAt = now;
  return comment;
}

export function recordReadyForReview(
  state: EmulatorState,
  repo: EmRepo,
  number: number,
  actor: string,
): void {
  recordEvent(state, repo, { number, event: 'ready_for_review', actor, label: null });
}

export function recordMerged(
  state: EmulatorState,
  repo: EmRepo,
  number: number,
  actor: string,
): void {
  recordEvent(state, repo, { number, event: 'merged', actor, label: null });
}
