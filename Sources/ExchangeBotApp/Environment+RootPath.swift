import RESTServer

/// `API_ROOT_PATH`: the path prefix every HTTP route also answers under (for a reverse proxy that forwards it).
extension Environment {
    /// `API_ROOT_PATH` (unset or empty: none), such as `/api/exchanges`.
    public func apiRootPath() throws(ConfigurationError) -> APIRootPath {
        guard let rootPath = APIRootPath(self["API_ROOT_PATH"] ?? "") else {
            throw ConfigurationError(
                "API_ROOT_PATH",
                "must be a path such as /api/exchanges: starting with /, without a trailing slash, its segments "
                    + "made of letters, digits, '-', '.', '_' and '~'"
            )
        }
        return rootPath
    }
}
