// What the project and webhook endpoints need from the daemon. Optional in the app: without it
// those routes answer 404 (the API tests' fake service has none).
import type {
  CreateProjectRequest,
  ProjectRemovedView,
  ProjectView,
  WebhookDisableView,
  WebhookEnableView,
  WebhookStatusView,
} from './project-dto.js';

export interface ProjectService {
  listProjects(): Promise<ProjectView[]>;
  /** Throws LooperError('not_found'). */
  getProject(id: string): Promise<ProjectView>;
  /** Throws 'validation_failed' (422: bad path, unreachable repo, no token) or 'conflict' (exists). */
  addProject(request: CreateProjectRequest): Promise<ProjectView>;
  /** Throws 'not_found', or 'conflict' (409) while it has active loops or comes from the config. */
  removeProject(id: string): Promise<ProjectRemovedView>;
  /** Every GitHub project's Looper hooks, or the one of `repo`. */
  webhookStatus(query: { repo?: string }): Promise<WebhookStatusView[]>;
  /** With `forward`, throws 'not_found' when gh is not on looperd's PATH. */
  enableWebhook(request: {
    repo?: string;
    url?: string;
    forward?: boolean;
  }): Promise<WebhookEnableView>;
  disableWebhook(request: { repo?: string; url?: string }): Promise<WebhookDisableView>;
}
