export const hello = (): string => "hi from intercom";
