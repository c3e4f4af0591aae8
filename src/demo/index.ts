// The demo's parts: the sample repository with a real bug, and where the bundled demo agent lives.
export { createSampleRepo, sampleIssue } from './sample-repo.js';
