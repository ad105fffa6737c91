export * from './SecurityGuardrailsApi';
export * from './SecurityGuardrailsClient';
