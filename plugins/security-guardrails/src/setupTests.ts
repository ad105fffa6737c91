import '@testing-library/jest-dom';

// Material UI pages take a few seconds to render on a busy 2-core CI machine
// while the backend's property tests share it; Jest's 5 s default is a hang
// detector that misfires there. This is not a performance assertion.
jest.setTimeout(30_000);
